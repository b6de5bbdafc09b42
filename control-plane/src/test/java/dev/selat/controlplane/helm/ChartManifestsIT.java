package dev.selat.controlplane.helm;

import static dev.selat.controlplane.helm.HelmChart.THREE_SITES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.controlplane.config.SelatConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rendered manifests, read strictly into the Kubernetes API types ({@link KubernetesTypes}), for the defaults and
 * the three-site values; then what the types cannot say: selectors select the pods, named ports exist, every volume
 * and Secret is there, every container runs non-root on a read-only root filesystem.
 */
class ChartManifestsIT {
  private static final String CP = HelmChart.RELEASE + "-control-plane";

  @Test
  void defaults_parseAsKubernetesTypes_andHangTogether() {
    Manifests m = Manifests.of(HelmChart.render());

    m.checkConsistent(Set.of());
    Deployment cp = m.one(Deployment.class, CP);
    assertThat(cp.getSpec().getReplicas()).isEqualTo(2);
    assertThat(cp.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
        .getPreferredDuringSchedulingIgnoredDuringExecution()).hasSize(1);
    Container c = cp.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(port(c, "admin")).isEqualTo(18080);
    assertThat(port(c, "xds")).isEqualTo(18000);
    assertThat(m.all(PodDisruptionBudget.class)).singleElement()
        .satisfies(pdb -> assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1));
    assertThat(m.all(Deployment.class)).as("no probe agents by default").hasSize(1);

    // The defaults' config needs no Secret file, so the loader takes it as rendered.
    SelatConfig config = ConfigLoader.load(m.configMapFile(HelmChart.RELEASE + "-config", "selat.yaml"), "defaults", Map.of());
    assertThat(config.siteIds()).containsExactly("dc1");
    assertThat(config.ports().admin().port()).isEqualTo(18080);
  }

  @Test
  void threeSites_parseAsKubernetesTypes_andHangTogether() throws IOException {
    Manifests m = Manifests.of(HelmChart.render("-f", THREE_SITES.toString()));

    m.checkConsistent(existingSecrets());
    Deployment cp = m.one(Deployment.class, CP);
    assertThat(cp.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity()
        .getRequiredDuringSchedulingIgnoredDuringExecution()).as("antiAffinity: hard").hasSize(1);
    assertThat(m.all(Deployment.class).stream().map(d -> d.getMetadata().getName()))
        .containsExactlyInAnyOrder(CP, "selat-probe-jakarta", "selat-probe-alibaba-sg", "selat-probe-aws-sg");
    assertThat(m.one(Deployment.class, "selat-probe-jakarta").getSpec().getReplicas()).isEqualTo(2);
    assertThat(m.all(Secret.class).stream().map(s -> s.getMetadata().getName()))
        .containsExactlyInAnyOrder("selat-consul-alibaba-sg", "selat-probe-aws-sg");
    assertThat(m.one(Service.class, "selat").getSpec().getType()).isEqualTo("LoadBalancer");
  }

  @Test
  void threeSites_siteJakarta_onlyJakartasProbeAgents() throws IOException {
    Manifests m = Manifests.of(HelmChart.render("-f", THREE_SITES.toString(), "--set", "site=jakarta"));

    m.checkConsistent(existingSecrets());
    assertThat(m.all(Deployment.class).stream().map(d -> d.getMetadata().getName()))
        .containsExactlyInAnyOrder(CP, "selat-probe-jakarta");
    assertThat(m.all(ConfigMap.class).stream().map(c -> c.getMetadata().getName()))
        .contains("selat-config", "selat-probe-jakarta").doesNotContain("selat-probe-aws-sg");
  }

  @Test
  void threeSites_withConsulTls_mountsCaCertAndKeyBesideTheToken() throws IOException {
    Manifests m = Manifests.of(HelmChart.render("-f", THREE_SITES.toString(),
        "--set", "consulSecrets.aws-sg.tls.existingSecret=selat-consul-aws-sg-tls",
        "--set", "consulSecrets.aws-sg.tls.certKey=tls.crt"));

    Set<String> existing = new HashSet<>(existingSecrets());
    existing.add("selat-consul-aws-sg-tls");
    m.checkConsistent(existing);
    String yaml = m.configMapFile("selat-config", "selat.yaml");
    assertThat(yaml).contains("caFile: /etc/selat/secrets/aws-sg/ca.crt", "certFile: /etc/selat/secrets/aws-sg/tls.crt",
        "keyFile: /etc/selat/secrets/aws-sg/tls.key", "tokenFile: /etc/selat/secrets/aws-sg/token");
    PodSpec pod = m.one(Deployment.class, CP).getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("consul-aws-sg")).singleElement()
        .satisfies(v -> assertThat(v.getProjected().getSources()).hasSize(2));
  }

  /**
   * The policy API's token from an existing Secret and the admin port's from a value: both mounted under
   * {@code _control-plane/}, the API's named by SELAT_API_TOKEN_FILE, the admin's by {@code admin.tokenFile}, and the
   * config still loads (with the admin token file in place).
   */
  @Test
  void apiAndAdminTokens_mountedAndNamed() throws IOException {
    Manifests m = Manifests.of(HelmChart.render("--set", "controlPlane.apiToken.existingSecret=selat-api",
        "--set", "controlPlane.apiToken.key=bearer", "--set", "controlPlane.adminToken.value=admin-token-0123456789ab"));

    m.checkConsistent(Set.of("selat-api"));
    assertThat(m.all(Secret.class).stream().map(s -> s.getMetadata().getName())).containsExactly(
        HelmChart.RELEASE + "-admin-token");
    PodSpec pod = m.one(Deployment.class, CP).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("SELAT_API_TOKEN_FILE")).singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("/etc/selat/secrets/_control-plane/api-token"));
    assertThat(c.getVolumeMounts()).filteredOn(v -> v.getName().equals("control-plane-tokens")).singleElement()
        .satisfies(v -> assertThat(v.getMountPath()).isEqualTo("/etc/selat/secrets/_control-plane"));
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("control-plane-tokens")).singleElement()
        .satisfies(v -> assertThat(v.getProjected().getSources()).extracting(s -> s.getSecret().getName() + ":"
            + s.getSecret().getItems().get(0).getKey() + "->" + s.getSecret().getItems().get(0).getPath())
            .containsExactlyInAnyOrder(HelmChart.RELEASE + "-admin-token:token->admin-token", "selat-api:bearer->api-token"));
    String yaml = m.configMapFile(HelmChart.RELEASE + "-config", "selat.yaml");
    assertThat(yaml).contains("tokenFile: /etc/selat/secrets/_control-plane/admin-token");

    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("chart-tokens");
    java.nio.file.Path token = dir.resolve("admin-token");
    java.nio.file.Files.writeString(token, "admin-token-0123456789ab");
    SelatConfig config = ConfigLoader.load(yaml.replace("/etc/selat/secrets/_control-plane/admin-token", token.toString()),
        "chart", Map.of());
    assertThat(config.admin().token()).isPresent();
  }

  /** The check can fail: one unknown field in a rendered Deployment is refused, with its path. */
  @Test
  void strictReader_unknownField_refused() {
    JsonNode deployment = HelmChart.find(HelmChart.render(), "Deployment", CP).deepCopy();
    ((ObjectNode) deployment.path("spec")).put("replica", 2);

    assertThatThrownBy(() -> KubernetesTypes.parse(deployment))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replica");
  }

  @Test
  void strictReader_stringForANumber_refused() {
    JsonNode deployment = HelmChart.find(HelmChart.render(), "Deployment", CP).deepCopy();
    ((ObjectNode) deployment.path("spec")).put("replicas", "2");

    assertThatThrownBy(() -> KubernetesTypes.parse(deployment)).isInstanceOf(IllegalArgumentException.class);
  }

  /** The Secrets the three-site values name as existing (the operator creates them; the chart must not). */
  private static Set<String> existingSecrets() throws IOException {
    Set<String> names = new HashSet<>();
    new YAMLMapper().readTree(Files.readString(THREE_SITES)).findValues("existingSecret").forEach(n -> names.add(n.asText()));
    assertThat(names).isNotEmpty();
    return names;
  }

  private static int port(Container c, String name) {
    return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst().map(ContainerPort::getContainerPort)
        .orElseThrow(() -> new AssertionError("no port " + name + " in container " + c.getName()));
  }

  /** The typed documents of one render. */
  record Manifests(List<HasMetadata> objects) {
    static Manifests of(List<JsonNode> docs) {
      return new Manifests(docs.stream().map(KubernetesTypes::parse).toList());
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
      List<T> found = all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
      assertThat(found).as("%s %s", type.getSimpleName(), name).hasSize(1);
      return found.get(0);
    }

    String configMapFile(String name, String key) {
      return one(ConfigMap.class, name).getData().get(key);
    }

    List<Map<String, String>> podLabels() {
      return all(Deployment.class).stream().map(d -> d.getSpec().getTemplate().getMetadata().getLabels()).toList();
    }

    /** What the API types cannot check; {@code existingSecrets}: Secrets the values expect to exist already. */
    void checkConsistent(Set<String> existingSecrets) {
      Set<String> configMaps = new HashSet<>();
      all(ConfigMap.class).forEach(c -> configMaps.add(c.getMetadata().getName()));
      Set<String> secrets = new HashSet<>(existingSecrets);
      all(Secret.class).forEach(s -> secrets.add(s.getMetadata().getName()));
      Set<String> serviceAccounts = new HashSet<>();
      all(io.fabric8.kubernetes.api.model.ServiceAccount.class).forEach(s -> serviceAccounts.add(s.getMetadata().getName()));
      for (Deployment d : all(Deployment.class)) {
        String name = d.getMetadata().getName();
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(labels).as("%s: its selector selects its pods", name).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertThat(serviceAccounts).as("%s: its ServiceAccount is rendered", name).contains(pod.getServiceAccountName());
        assertThat(pod.getAutomountServiceAccountToken()).as("%s: no API token", name).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).as("%s: runAsNonRoot", name).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).as("%s: a non-root uid", name).isPositive();
        Set<String> volumes = new HashSet<>();
        pod.getVolumes().forEach(v -> {
          volumes.add(v.getName());
          if (v.getConfigMap() != null) {
            assertThat(configMaps).as("%s: volume %s's ConfigMap", name, v.getName()).contains(v.getConfigMap().getName());
          }
          if (v.getSecret() != null) {
            assertThat(secrets).as("%s: volume %s's Secret", name, v.getName()).contains(v.getSecret().getSecretName());
          }
          if (v.getProjected() != null) {
            assertThat(v.getProjected().getSources()).as("%s: volume %s has sources", name, v.getName()).isNotEmpty();
            v.getProjected().getSources().forEach(s -> assertThat(secrets)
                .as("%s: volume %s's Secret", name, v.getName()).contains(s.getSecret().getName()));
          }
        });
        for (Container c : pod.getContainers()) {
          var sc = c.getSecurityContext();
          assertThat(sc.getReadOnlyRootFilesystem()).as("%s/%s: read-only root", name, c.getName()).isTrue();
          assertThat(sc.getAllowPrivilegeEscalation()).as("%s/%s: no privilege escalation", name, c.getName()).isFalse();
          assertThat(sc.getCapabilities().getDrop()).as("%s/%s: capabilities", name, c.getName()).containsExactly("ALL");
          assertThat(c.getResources().getRequests()).as("%s/%s: requests", name, c.getName()).containsKeys("cpu", "memory");
          c.getVolumeMounts().forEach(vm -> assertThat(volumes).as("%s/%s: mount %s", name, c.getName(), vm.getName()).contains(vm.getName()));
          assertThat(c.getVolumeMounts()).as("%s/%s: a writable /tmp", name, c.getName()).anyMatch(vm -> vm.getMountPath().equals("/tmp"));
          Set<String> ports = new HashSet<>();
          c.getPorts().forEach(p -> ports.add(p.getName()));
          Stream.of(c.getReadinessProbe(), c.getLivenessProbe()).forEach(p -> {
            assertThat(p).as("%s/%s: readiness and liveness probes", name, c.getName()).isNotNull();
            assertThat(ports).contains(p.getHttpGet().getPort().getStrVal());
          });
        }
      }
      for (Service s : all(Service.class)) {
        List<Deployment> selected = selecting(s.getSpec().getSelector());
        assertThat(selected).as("Service %s selects pods", s.getMetadata().getName()).isNotEmpty();
        s.getSpec().getPorts().forEach(p -> assertThat(containerPorts(selected))
            .as("Service %s port %s", s.getMetadata().getName(), p.getName()).contains(p.getTargetPort().getStrVal()));
      }
      all(PodDisruptionBudget.class).forEach(p -> assertThat(selecting(p.getSpec().getSelector().getMatchLabels()))
          .as("PodDisruptionBudget %s selects pods", p.getMetadata().getName()).isNotEmpty());
      for (NetworkPolicy np : all(NetworkPolicy.class)) {
        List<Deployment> selected = selecting(np.getSpec().getPodSelector().getMatchLabels());
        assertThat(selected).as("NetworkPolicy %s selects pods", np.getMetadata().getName()).isNotEmpty();
        np.getSpec().getIngress().forEach(rule -> rule.getPorts().forEach(p -> assertThat(containerPorts(selected))
            .as("NetworkPolicy %s port", np.getMetadata().getName()).contains(p.getPort().getStrVal())));
      }
      for (ServiceMonitor sm : all(ServiceMonitor.class)) {
        List<Service> selected = all(Service.class).stream()
            .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(sm.getSpec().getSelector().getMatchLabels().entrySet()))
            .toList();
        assertThat(selected).as("ServiceMonitor %s selects a Service", sm.getMetadata().getName()).isNotEmpty();
        sm.getSpec().getEndpoints().forEach(e -> assertThat(selected.get(0).getSpec().getPorts())
            .anyMatch(p -> p.getName().equals(e.getPort())));
      }
      for (PodMonitor pm : all(PodMonitor.class)) {
        List<Deployment> selected = selecting(pm.getSpec().getSelector().getMatchLabels());
        assertThat(selected).as("PodMonitor %s selects pods", pm.getMetadata().getName()).isNotEmpty();
        pm.getSpec().getPodMetricsEndpoints().forEach(e -> assertThat(containerPorts(selected)).contains(e.getPort()));
      }
    }

    private List<Deployment> selecting(Map<String, String> selector) {
      assertThat(selector).as("a selector").isNotEmpty();
      return all(Deployment.class).stream()
          .filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
          .toList();
    }

    private static Set<String> containerPorts(List<Deployment> deployments) {
      Set<String> names = new HashSet<>();
      deployments.forEach(d -> d.getSpec().getTemplate().getSpec().getContainers()
          .forEach(c -> c.getPorts().forEach(p -> names.add(p.getName()))));
      return names;
    }
  }
}
