package dev.selat.controlplane.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Status;
import dev.selat.controlplane.config.ConfigLoader;
import dev.selat.testkit.ConsulSite;
import dev.selat.testkit.ThreeSites;
import dev.selat.testkit.Tools;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page in a real headless Chromium (Debian's chromium and chromium-driver, through Selenium), served by a
 * control plane with its admin token on, over three testkit sites whose probe agents measure each other through WAN
 * paths (Toxiproxy for TCP and a UDP delay relay on the same port: leased line 12 ms, VPN 3 ms). alibaba-sg's own
 * {@code catalog} instances are critical, so its clients go to aws-sg over the VPN. The tests run in order on one
 * browser and one set of peers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusPageIT {
  private static final String TOKEN = "status-page-it-token-0123456789";
  private static final Path OUT = Path.of("target");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ThreeSites sites;
  private static ProbedLinks links;
  private static ControlPlane cp;
  private static ChromeDriver browser;
  private static ManagedChannel adsChannel;

  @BeforeAll
  static void start() throws Exception {
    sites = ThreeSites.start(false);
    for (String site : ThreeSites.IDS) {
      for (int i = 0; i < 2; i++) {
        ConsulSite.Health health = site.equals(ThreeSites.ALIBABA_SG) ? ConsulSite.Health.CRITICAL
            : ConsulSite.Health.PASSING;
        sites.site(site).registerService("catalog", site + "-" + i, "127.0.0.1", 20000 + i, List.of(),
            Map.of("protocol", "grpc"), new ConsulSite.Check(Duration.ofMinutes(10), health));
      }
    }
    links = ProbedLinks.start(sites);
    String config = ItMesh.sitesYaml(sites, site -> "    startBudget: 10s\n") + """
        links:
          - { name: leased-line, sites: [jakarta, alibaba-sg], nominalRtt: 12ms }
          - { name: vpn, sites: [alibaba-sg, aws-sg], nominalRtt: 3ms }
        routing: { debounce: 50ms, maxDelay: 500ms, hysteresis: { threshold: 5ms, dwell: 1s } }
        ports:
          xds: { address: 127.0.0.1, port: 0 }
          admin: { address: 127.0.0.1, port: 0 }
        """;
    cp = ControlPlane.start(ConfigLoader.load(config, "StatusPageIT", Map.of("SELAT_ADMIN_TOKEN", TOKEN)));
    await().atMost(Duration.ofSeconds(30)).until(cp::ready);

    ChromeOptions options = new ChromeOptions();
    options.setBinary(Tools.chromium().toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,800", "--force-device-scale-factor=1");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(Tools.chromedriver().toFile())
        .withLogFile(Tools.logDir().resolve("StatusPageIT-chromedriver.log").toFile()).build();
    Files.createDirectories(Tools.logDir());
    browser = new ChromeDriver(service, options);
    viewport(1280, 800, false);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    ItMesh.closeAll(adsChannel, cp, links, sites);
  }

  /** Without the token the page asks for it; the data endpoints refuse; probes and Prometheus stay open. */
  @Test
  @Order(1)
  void tokenOn_pageAsksForIt_dataNeedsIt() throws Exception {
    assertThat(get("/api/status", null).statusCode()).isEqualTo(401);
    assertThat(get("/debug/latency", null).statusCode()).isEqualTo(401);
    assertThat(get("/debug/latency", "wrong-token-wrong-token").statusCode()).isEqualTo(401);
    assertThat(get("/debug/latency", TOKEN).statusCode()).isEqualTo(200);
    assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
    assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
    assertThat(get("/metrics", null).statusCode()).isEqualTo(200);

    browser.get(admin("/"));
    WebElement form = browser.findElement(By.id("login"));
    await("the page asks for the token").atMost(Duration.ofSeconds(5)).until(form::isDisplayed);
    assertThat(browser.findElement(By.id("dashboard")).isDisplayed()).isFalse();
    assertThat(browser.switchTo().activeElement().getAttribute("id")).as("focus on the token field").isEqualTo("token");

    browser.findElement(By.id("token")).sendKeys("not-the-token-at-all");
    browser.findElement(By.cssSelector("#login button[type=submit]")).click();
    await("a wrong token is refused").atMost(Duration.ofSeconds(5))
        .until(() -> browser.findElement(By.id("login-error")).getText().contains("refused"));

    browser.findElement(By.id("token")).sendKeys(TOKEN);
    browser.findElement(By.cssSelector("#login button[type=submit]")).click();
    await("the dashboard shows").atMost(Duration.ofSeconds(5))
        .until(() -> browser.findElement(By.id("dashboard")).isDisplayed());
    assertThat(browser.findElement(By.id("login")).isDisplayed()).isFalse();
  }

  /** The heat map: 9 cells, the 6 remote ones measured by probes, near their paths' RTTs; jitter and loss on focus. */
  @Test
  @Order(2)
  void heatMap_nineCells_withTheMeasuredValues() throws Exception {
    await("every cell measured by a probe").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().untilAsserted(() -> {
          List<Map<String, String>> cells = pageCells();
          assertThat(cells).hasSize(9);
          Map<String, JsonNode> debug = debugCells();
          int remote = 0;
          for (Map<String, String> cell : cells) {
            String from = cell.get("from");
            String to = cell.get("to");
            if (from.equals(to)) {
              assertThat(cell.get("text")).isEqualTo("local");
              continue;
            }
            remote++;
            assertThat(cell.get("source")).as("%s>%s source", from, to).isEqualTo("probe");
            double shown = Double.parseDouble(cell.get("rttMs"));
            double pathMs = links.pathMillis(from, to);
            assertThat(shown).as("%s>%s RTT on the page, ms", from, to).isBetween(pathMs, pathMs + 4);
            assertThat(shown).as("%s>%s: the page shows what /debug/latency says", from, to)
                .isCloseTo(debug.get(from + ">" + to).path("rttMs").asDouble(), org.assertj.core.data.Offset.offset(3.0));
            assertThat(cell.get("text")).matches("[0-9.]+ ms\\s+probe · .*");
          }
          assertThat(remote).isEqualTo(6);
        });
    System.out.printf("heat map: %s%n", pageCells().stream().map(c -> c.get("from") + ">" + c.get("to") + " "
        + c.get("text")).toList());

    String cell = "#matrix td[data-from='jakarta'][data-to='aws-sg']";
    String details = "const m = document.querySelector(arguments[0] + ' .more'); "
        + "return getComputedStyle(m).display + '|' + m.textContent";
    JavascriptExecutor js = (JavascriptExecutor) browser;
    assertThat((String) js.executeScript(details, cell)).as("jitter and loss hidden until hover or focus")
        .startsWith("none|");
    js.executeScript("document.querySelector(arguments[0]).focus()", cell);
    await("the cell keeps focus and shows its details across updates").atMost(Duration.ofSeconds(5))
        .during(Duration.ofMillis(2500)).until(() -> ((String) js.executeScript(details, cell)).startsWith("block|")
            && cell.equals("#matrix td[data-from='" + js.executeScript("return document.activeElement.dataset.from")
            + "'][data-to='" + js.executeScript("return document.activeElement.dataset.to") + "']"));
    assertThat((String) js.executeScript(details, cell)).contains("jitter").contains("loss").contains("probe agent");
  }

  /**
   * alibaba-sg's clients go to aws-sg (VPN 3 ms). The VPN slowed to 30 ms: without a reload, the cell shows it and the
   * route bars move to jakarta (12 ms) within 5 s (hysteresis dwell 1 s).
   */
  @Test
  @Order(3)
  void vpnDegraded_cellAndRouteBarsChange_withoutReload_within5s() throws Exception {
    await("alibaba-sg's clients on aws-sg").atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> topSegment(ThreeSites.ALIBABA_SG).equals(ThreeSites.AWS_SG));
    Object marker = ((JavascriptExecutor) browser).executeScript("return window.__selatNoReload = 'same page'");
    assertThat(marker).isEqualTo("same page");
    screenshot("status-page-before-degrade-1280x800.png");

    long degradedAt = System.nanoTime();
    links.set(ProbedLinks.VPN, Duration.ofMillis(30), Duration.ZERO);
    await("the cell and the bars follow the VPN").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions().until(() -> cellRtt(ThreeSites.ALIBABA_SG, ThreeSites.AWS_SG) >= 25
            && topSegment(ThreeSites.ALIBABA_SG).equals(ThreeSites.JAKARTA));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - degradedAt);
    System.out.printf("VPN 3 -> 30 ms: the page showed alibaba-sg>aws-sg %.1f ms and alibaba-sg's bars on jakarta "
        + "after %d ms, no reload%n", cellRtt(ThreeSites.ALIBABA_SG, ThreeSites.AWS_SG), tookMs);
    assertThat(((JavascriptExecutor) browser).executeScript("return window.__selatNoReload")).isEqualTo("same page");
    await("the failover in the recent events").atMost(Duration.ofSeconds(5))
        .until(() -> events("failover").stream().anyMatch(e -> e.contains("alibaba-sg") && e.contains("(latency)")));
    screenshot("status-page-1280x800.png");
  }

  /** A real grpc-java ADS client that NACKs what it gets: the page names it, its site and role, and the message. */
  @Test
  @Order(4)
  void nackingProxy_showsItsMessage() throws Exception {
    // Markup in a proxy's message is text on the page, never markup.
    String message = "StatusPageIT rejects cluster catalog: <b>pretend</b> it is invalid";
    adsChannel = Grpc.newChannelBuilder("127.0.0.1:" + cp.xdsPort(), InsecureChannelCredentials.create()).build();
    Node node = Node.newBuilder().setId("nacking-proxy-jakarta").setCluster("catalog")
        .setMetadata(Struct.newBuilder()
            .putFields("selat.site", Value.newBuilder().setStringValue("jakarta").build())
            .putFields("selat.role", Value.newBuilder().setStringValue("sidecar").build())
            .putFields("selat.upstreams", Value.newBuilder().setStringValue("catalog").build()))
        .build();
    String cds = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    StreamObserver<DiscoveryRequest>[] requests = new StreamObserver[1];
    requests[0] = AggregatedDiscoveryServiceGrpc.newStub(adsChannel).streamAggregatedResources(
        new StreamObserver<>() {
          @Override
          public void onNext(DiscoveryResponse response) {
            synchronized (requests) {
              requests[0].onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(response.getTypeUrl())
                  .setResponseNonce(response.getNonce())
                  .setErrorDetail(Status.newBuilder().setCode(3).setMessage(message)).build());
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    synchronized (requests) {
      requests[0].onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(cds).build());
    }

    String row = "#proxies tr[data-node='nacking-proxy-jakarta']";
    await("the page shows the NACK").atMost(Duration.ofSeconds(10))
        .until(() -> rowTexts(row).size() == 6 && rowTexts(row).get(5).contains(message));
    List<String> columns = rowTexts(row);
    assertThat((Long) ((JavascriptExecutor) browser).executeScript(
        "return document.querySelectorAll(\"#proxies b, #events b\").length")).as("markup from the NACK").isZero();
    System.out.printf("proxy row: %s%n", columns);
    assertThat(columns.get(1)).isEqualTo("jakarta");
    assertThat(columns.get(2)).isEqualTo("sidecar");
    assertThat(columns.get(3)).startsWith("SotW");
    assertThat(columns.get(5)).startsWith("CDS");
    await("the NACK in the recent events").atMost(Duration.ofSeconds(5))
        .until(() -> events("nack").stream().anyMatch(e -> e.contains("nacking-proxy-jakarta") && e.contains(message)));

    String metrics = get("/metrics", null).body();
    assertThat(metrics).contains("selat_proxies_connected{role=\"sidecar\",site=\"jakarta\"} 1.0")
        .contains("selat_events_total{kind=\"nack\"}");
    screenshot("status-page-nack-1280x800.png");
    fullPage("status-page-full-1280.png");
  }

  /**
   * Accessible: every text on the page has WCAG AA contrast (4.5:1) against what is behind it, and the keyboard alone
   * reaches the skip link, the header's button and the heat map's cells, with a visible focus ring.
   */
  @Test
  @Order(5)
  void contrastAndKeyboard_textAtLeast4point5to1_cellsReachableByTab() {
    JavascriptExecutor js = (JavascriptExecutor) browser;
    @SuppressWarnings("unchecked")
    List<String> lowContrast = (List<String>) js.executeScript(CONTRAST);
    assertThat(lowContrast).as("texts below 4.5:1").isEmpty();
    long texts = (Long) js.executeScript("return document.querySelectorAll('#dashboard td, #dashboard th').length");
    assertThat(texts).as("the check saw the tables").isGreaterThan(30);

    // A reload starts the tab order at the top; the tab keeps its token, so the page does not ask again.
    browser.navigate().refresh();
    await("the dashboard, with the token kept in the tab").atMost(Duration.ofSeconds(5))
        .until(() -> browser.findElement(By.id("dashboard")).isDisplayed()
            && !browser.findElements(By.cssSelector("#matrix td[data-rtt-ms]")).isEmpty());
    List<String> reached = new ArrayList<>();
    String ring = null;
    org.openqa.selenium.interactions.Actions keys = new org.openqa.selenium.interactions.Actions(browser);
    for (int i = 0; i < 20 && ring == null; i++) {
      keys.sendKeys(org.openqa.selenium.Keys.TAB).perform();
      String at = (String) js.executeScript("const e = document.activeElement; "
          + "return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.dataset.from ? '[' + e.dataset.from + '>' "
          + "+ e.dataset.to + ']' : '')");
      reached.add(at);
      if (at.startsWith("td[")) {
        ring = (String) js.executeScript("const s = getComputedStyle(document.activeElement); "
            + "return s.outlineStyle + ' ' + s.outlineWidth");
      }
    }
    System.out.printf("tab order: %s; the cell's focus ring: %s%n", reached, ring);
    assertThat(reached.getFirst()).isEqualTo("a");
    assertThat(reached).contains("button#forget").anyMatch(r -> r.startsWith("td["));
    assertThat(ring).as("focus ring on the cell").startsWith("solid").isNotEqualTo("solid 0px");
  }

  /** WCAG 2 contrast of every visible element's own text against its nearest opaque background. */
  private static final String CONTRAST = """
      const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
      const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const behind = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c; } return [255, 255, 255]; };
      const low = [];
      for (const el of document.querySelectorAll('body *')) {
        if (!el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
        if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
        const a = lum(rgb(getComputedStyle(el).color)), b = lum(behind(el));
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 4.5) low.push(el.tagName + '.' + el.className + ' "' + el.textContent.trim().slice(0, 40) + '" '
          + ratio.toFixed(2));
      }
      return low;""";

  /** On a phone: one column, nothing wider than the screen, the heat map and the proxies readable. */
  @Test
  @Order(6)
  void phone_390x844_fitsTheScreen() throws Exception {
    viewport(390, 844, true);
    await().atMost(Duration.ofSeconds(5)).until(() -> ((Number) ((JavascriptExecutor) browser)
        .executeScript("return window.innerWidth")).intValue() == 390);
    long overflow = (Long) ((JavascriptExecutor) browser).executeScript(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assertThat(overflow).as("horizontal overflow of the page, px").isLessThanOrEqualTo(0);
    assertThat(browser.findElements(By.cssSelector("#matrix tbody td"))).hasSize(9)
        .allSatisfy(td -> assertThat(td.isDisplayed()).isTrue());
    screenshot("status-page-390x844.png");
    fullPage("status-page-full-390.png");
    viewport(1280, 800, false);
  }

  /** The token never went into a URL: the page's own address and every request it made. */
  @Test
  @Order(7)
  void token_neverInAUrl() {
    @SuppressWarnings("unchecked")
    List<String> urls = (List<String>) ((JavascriptExecutor) browser).executeScript(
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])");
    assertThat(urls).anyMatch(u -> u.contains("/api/status"));
    assertThat(urls).noneMatch(u -> u.contains(TOKEN));
    assertThat(browser.getCurrentUrl()).doesNotContain(TOKEN);
    assertThat(((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('selat.adminToken')"))
        .isEqualTo(TOKEN);
    assertThat(((JavascriptExecutor) browser).executeScript("return localStorage.length")).isEqualTo(0L);
  }

  /** A scrape after all of it passes promtool, and carries propagation and route changes caused by latency. */
  @Test
  @Order(8)
  void metrics_afterAllOfIt_passPromtool() throws Exception {
    String metrics = get("/metrics", null).body();
    Files.writeString(OUT.resolve("status-page-metrics.txt"), metrics);
    Process promtool = new ProcessBuilder(Tools.promtool().toString(), "check", "metrics").redirectErrorStream(true)
        .start();
    try (var stdin = promtool.getOutputStream()) {
      stdin.write(metrics.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(promtool.exitValue()).as("promtool check metrics:%n%s", output).isZero();
    assertThat(sample(metrics, "selat_routes_propagation_seconds_count")).as("propagations recorded").isPositive();
    assertThat(sample(metrics, "selat_routes_changes_total{cause=\"latency\",kind=\"failover\"}")).isPositive();
    assertThat(sample(metrics, "selat_latency_matrix_rtt_seconds{from=\"alibaba-sg\",to=\"aws-sg\"}"))
        .isGreaterThan(0.025);
    assertThat(sample(metrics, "selat_latency_matrix_source{from=\"alibaba-sg\",source=\"probe\",to=\"aws-sg\"}"))
        .isEqualTo(1.0);
  }

  /** aws-sg's Consul stops: the page shows the site stale with its data age, and the event, without a reload. */
  @Test
  @Order(9)
  void siteConsulDown_pageShowsItStale_withItsDataAge() {
    sites.awsSg().close();

    String row = "#sites tr[data-site='aws-sg']";
    await("aws-sg stale on the page").atMost(Duration.ofSeconds(30)).until(() -> {
      List<String> cells = rowTexts(row);
      return cells.size() == 5 && cells.get(1).equals("stale") && cells.get(2).matches("\\d+ s");
    });
    await("the site's state in the recent events").atMost(Duration.ofSeconds(5))
        .until(() -> events("site-state").stream().anyMatch(e -> e.contains("site aws-sg: synced -> stale")));
    System.out.printf("aws-sg's Consul down: the page shows %s%n", rowTexts(row));
    assertThat(rowTexts("#sites tr[data-site='jakarta']").get(1)).isEqualTo("synced");
  }

  private static double sample(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
        l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
  }

  /** The site of the widest segment of the route bar for {@code clientSite}'s clients ("" when none). */
  private static String topSegment(String clientSite) {
    return (String) ((JavascriptExecutor) browser).executeScript(
        "const s = document.querySelector(\"#routes article[data-client-site='\" + arguments[0] + \"'] .bar .seg\"); "
            + "return s ? s.dataset.site : ''", clientSite);
  }

  private static double cellRtt(String from, String to) {
    Object rtt = ((JavascriptExecutor) browser).executeScript(
        "const td = document.querySelector(\"#matrix td[data-from='\" + arguments[0] + \"'][data-to='\" + arguments[1]"
            + " + \"']\"); return td && td.dataset.rttMs ? td.dataset.rttMs : '-1'", from, to);
    return Double.parseDouble((String) rtt);
  }

  /** The recent events of one kind, as the page shows them. */
  @SuppressWarnings("unchecked")
  private static List<String> events(String kind) {
    return (List<String>) ((JavascriptExecutor) browser).executeScript(
        "return Array.from(document.querySelectorAll(\"#events li[data-kind='\" + arguments[0] + \"']\"))"
            + ".map(li => li.textContent)", kind);
  }

  /** The heat map's cells as the page shows them now, read in one script (the page re-renders every second). */
  @SuppressWarnings("unchecked")
  private static List<Map<String, String>> pageCells() {
    return (List<Map<String, String>>) ((JavascriptExecutor) browser).executeScript("""
        return Array.from(document.querySelectorAll('#matrix tbody td')).map(td => ({
          from: td.dataset.from, to: td.dataset.to, rttMs: td.dataset.rttMs || '', source: td.dataset.source || '',
          text: Array.from(td.children).filter(c => !c.classList.contains('more')).map(c => c.textContent).join(' ')
            || td.textContent }))""");
  }

  /** The cells' texts of a row of a table, read in one script. */
  @SuppressWarnings("unchecked")
  private static List<String> rowTexts(String rowSelector) {
    return (List<String>) ((JavascriptExecutor) browser).executeScript(
        "const r = document.querySelector(arguments[0]); "
            + "return r ? Array.from(r.querySelectorAll('th, td')).map(c => c.textContent) : []", rowSelector);
  }

  /** The page's viewport exactly this size (the window's would include the browser's own frame). */
  private static void viewport(int width, int height, boolean mobile) {
    browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
  }

  /** The whole page, not just the viewport: for reading it in review. */
  private static void fullPage(String name) throws Exception {
    Map<String, Object> shot = browser.executeCdpCommand("Page.captureScreenshot",
        Map.of("format", "png", "captureBeyondViewport", true));
    Files.write(OUT.resolve(name), java.util.Base64.getDecoder().decode((String) shot.get("data")));
  }

  private static void screenshot(String name) throws Exception {
    Files.createDirectories(OUT);
    Files.write(OUT.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
  }

  private static Map<String, JsonNode> debugCells() throws Exception {
    Map<String, JsonNode> cells = new TreeMap<>();
    for (JsonNode cell : JSON.readTree(get("/debug/latency", TOKEN).body()).path("cells")) {
      cells.put(cell.path("from").asText() + ">" + cell.path("to").asText(), cell);
    }
    return cells;
  }

  private static String admin(String path) {
    return "http://127.0.0.1:" + cp.adminPort() + path;
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(admin(path)));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
