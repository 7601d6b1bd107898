package dev.rolemesh.dashboard;

import static dev.rolemesh.testing.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rolemesh.config.ModelTarget;
import dev.rolemesh.sim.SimOptions;
import dev.rolemesh.sim.Simulator;
import dev.rolemesh.testing.Await;
import dev.rolemesh.testing.TestGateway;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard as an operator sees it: Debian's Chromium, headless, against a running gateway with simulator
 * backends, after real traffic. It asks for the client key once, then shows the roles, the node, the requests and
 * an agent run of three steps across three roles. Leaves a screenshot in target/dashboard.png.
 */
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String RUN = "run-7f3a";

  private static TestGateway gateway;
  private static ChromeDriver browser;

  @BeforeAll
  static void start() {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as("Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver; .ci/run does it)")
        .isTrue();
    gateway = new TestGateway().clientAndNodeKeys();
    Simulator planner = gateway.simulator(SimOptions.defaults().withAlias("qwen-planner"));
    Simulator node = gateway.simulator(SimOptions.defaults().withAlias("qwen-coder"));
    gateway.proxy("planner", planner)
        .discovered("coder", "coder", ModelTarget.Strategy.LEAST_BUSY)
        .proxy("reviewer", planner)
        .start();
    gateway.register("{\"node_id\":\"gpu-node-1\",\"base_url\":\"" + node.baseUrl() + "\",\"served_models\":[{"
        + "\"model_id\":\"qwen-coder\",\"roles\":[\"coder\"],\"meta\":{\"loaded\":true}}],\"meta\":{\"host\":{"
        + "\"hostname\":\"sim-host\",\"cpus\":16,\"gpus\":[{\"index\":0,\"name\":\"simulated GPU\","
        + "\"memory_total_mib\":24576,\"memory_used_mib\":9120}]},\"servers\":[{\"gpu\":0,\"state\":\"READY\","
        + "\"model\":\"qwen-coder\"}]}}");

    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
    browser = new ChromeDriver(new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build(), options);
    browser.manage().window().setSize(new Dimension(1280, 1100));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    gateway.close();
  }

  @Test
  void afterAKeyTheDashboardShowsRolesNodesRequestsAndARunTimeline() throws IOException {
    String key = TestGateway.CLIENT_KEY;
    gateway.post("/v1/chat/completions", chat("planner", "\"max_tokens\":12"),
        "Authorization", "Bearer " + key, "X-RoleMesh-Run", RUN);
    gateway.post("/v1/chat/completions", chat("coder", "\"max_tokens\":40,\"stream\":true"),
        "Authorization", "Bearer " + key, "X-RoleMesh-Run", RUN);
    gateway.post("/v1/chat/completions", chat("reviewer", "\"max_tokens\":8"),
        "Authorization", "Bearer " + key, "X-RoleMesh-Run", RUN);
    gateway.post("/v1/chat/completions", chat("planner", "\"max_tokens\":4"), "Authorization", "Bearer " + key);

    browser.get(gateway.baseUrl() + "/ui/");
    Await.until("the key form", () -> browser.findElement(By.id("key-form")).isDisplayed());
    browser.findElement(By.id("key")).sendKeys(key);
    browser.findElement(By.cssSelector("#key-form button")).click();
    Await.until("the run's three steps and four requests", () -> steps().size() == 3
        && browser.findElements(By.cssSelector("#feed tbody tr")).size() == 4);

    assertThat(browser.findElement(By.id("key-form")).isDisplayed()).isFalse();
    WebElement planner = browser.findElement(By.cssSelector("#roles tr[data-role='planner']"));
    assertThat(planner.getText()).contains("available", "fixed");
    assertThat(browser.findElement(By.cssSelector("#roles tr[data-role='coder']")).getText())
        .contains("available", "least_busy");
    WebElement node = browser.findElement(By.cssSelector("#nodes tr[data-node='gpu-node-1']"));
    assertThat(node.getText()).contains("fresh", "qwen-coder", "simulated GPU");
    List<WebElement> feed = browser.findElements(By.cssSelector("#feed tbody tr"));
    assertThat(feed).hasSize(4);
    assertThat(feed.get(1).getText()).contains("reviewer", "200", RUN);
    assertThat(steps()).extracting(step -> step.getAttribute("data-role"))
        .containsExactly("planner", "coder", "reviewer");
    assertThat(browser.findElement(By.cssSelector(".run[data-run='" + RUN + "'] .run-head")).getText())
        .contains("3 steps", "0 errors", "planner → coder → reviewer");

    Path shot = Path.of("target", "dashboard.png");
    Files.createDirectories(shot.getParent());
    File taken = browser.getScreenshotAs(OutputType.FILE);
    Files.copy(taken.toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
  }

  private static List<WebElement> steps() {
    return browser.findElements(By.cssSelector(".run[data-run='" + RUN + "'] .lane .step"));
  }
}
