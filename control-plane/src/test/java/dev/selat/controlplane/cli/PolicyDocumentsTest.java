package dev.selat.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selat.proto.v1.RoutingMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyDocumentsTest {
  static final String TWO = """
      # residency
      name: payments-in-jakarta
      selector:
        services: [payments]
      mode: PINNED
      pinnedSite: jakarta
      ---
      name: search-weighted
      selector: { services: [search], client_sites: [jakarta] }
      mode: WEIGHTED
      site_weights:
        alibaba-sg: 80
        gcp: 20
      avoidLinks:
        - link: vpn
          action: PENALIZE
          penalty: 20ms
      """;

  @Test
  void yamlDocuments_parseAsPolicies_withTheLineOfEveryFieldPath() throws Exception {
    List<PolicyDocuments.Document> docs = PolicyDocuments.parse("p.yaml", TWO);

    assertThat(docs).hasSize(2);
    assertThat(docs.get(0).policy().getMode()).isEqualTo(RoutingMode.PINNED);
    assertThat(docs.get(0).lineOf("pinned_site")).isEqualTo(6);
    PolicyDocuments.Document w = docs.get(1);
    assertThat(w.policy().getSiteWeightsMap()).containsEntry("gcp", 20);
    assertThat(w.policy().getAvoidLinks(0).getPenalty().getNanos()).isEqualTo(20_000_000);
    assertThat(w.lineOf("site_weights[\"gcp\"]")).isEqualTo(13);
    assertThat(w.lineOf("avoid_links[0].penalty")).isEqualTo(17);
    assertThat(w.lineOf("selector.client_sites[0]")).isEqualTo(9);
    assertThat(w.lineOf("rtt_budget.max_rtt")).as("an absent field: the document's line").isEqualTo(w.line());
  }

  /** The README's example policies parse and are valid on the three-site layout: the docs stay true. */
  @Test
  void theReadmesExamples_parseAndValidate() throws Exception {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
    String section = readme.substring(readme.indexOf("## Policies"));
    int start = section.indexOf("```yaml\n") + "```yaml\n".length();
    String yaml = section.substring(start, section.indexOf("```", start));
    var parser = new dev.selat.controlplane.policy.PolicyParser(java.util.Set.of("jakarta", "alibaba-sg", "aws-sg"),
        java.util.Set.of("leased-line", "vpn"));

    List<PolicyDocuments.Document> docs = PolicyDocuments.parse("README.md", yaml);
    assertThat(docs).extracting(d -> d.policy().getName())
        .containsExactly("payments-in-jakarta", "search-weighted", "move-search");
    assertThat(docs).allSatisfy(d -> assertThat(parser.validate(d.policy())).isEmpty());
  }

  @Test
  void jsonWorksToo() throws Exception {
    assertThat(PolicyDocuments.parse("p.json", "{\"name\": \"a\", \"mode\": \"LOWEST_LATENCY\"}"))
        .singleElement().satisfies(d -> assertThat(d.policy().getName()).isEqualTo("a"));
  }

  /** Found by PolicyIT's mutations through selatctl: Go's parser rounded "0.001000001s" to 1 ms. */
  @Test
  void durations_inProtobufJsonForm_keepEveryNanosecond_goFormIsConverted() throws Exception {
    var d = PolicyDocuments.parse("p.json", """
        {"name": "a", "timeouts": {"request": "0.001000001s", "connect": "-5s"},
         "retries": {"perTryTimeout": "1m30s"}}""").getFirst().policy();

    assertThat(d.getTimeouts().getRequest().getNanos()).isEqualTo(1_000_001);
    assertThat(d.getTimeouts().getConnect().getSeconds()).isEqualTo(-5);
    assertThat(d.getRetries().getPerTryTimeout().getSeconds()).isEqualTo(90);
  }

  @Test
  void notAPolicy_namesTheFileLineAndWhy() {
    assertThatThrownBy(() -> PolicyDocuments.parse("p.yaml", "name: a\n---\nmode: SOMETIMES\n"))
        .hasMessageStartingWith("p.yaml:3: not a RoutingPolicy").hasMessageContaining("SOMETIMES");
    assertThatThrownBy(() -> PolicyDocuments.parse("p.yaml", "name: a\nsurprise: 1\n"))
        .hasMessageStartingWith("p.yaml:1: not a RoutingPolicy").hasMessageContaining("surprise");
    assertThatThrownBy(() -> PolicyDocuments.parse("p.yaml", "- a\n- b\n")).hasMessageContaining("must be a mapping");
    assertThatThrownBy(() -> PolicyDocuments.parse("p.yaml", "name: [a\n")).hasMessageStartingWith("p.yaml: not YAML");
  }
}
