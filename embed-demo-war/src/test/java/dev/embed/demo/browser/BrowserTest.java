package dev.embed.demo.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.ScreenshotAnimations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * A real Chromium for each browser test class: Debian's {@code /usr/bin/chromium} (system property
 * {@code embed.test.chromium}), driven by Playwright without downloading a browser. Each test gets
 * a fresh context and page, and leaves a screenshot in {@code target/screenshots/}, passed or not.
 */
public abstract class BrowserTest {
    /** Where the screenshots go. */
    public static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static Playwright playwright;
    private static Browser browser;

    protected BrowserContext context;
    protected Page page;
    private String testName;

    @BeforeAll
    static void launchChromium() {
        PlaywrightAssertions.setDefaultAssertionTimeout(15_000);
        playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright
                .chromium()
                .launch(new BrowserType.LaunchOptions()
                        .setExecutablePath(Path.of(System.getProperty("embed.test.chromium", "/usr/bin/chromium")))
                        .setHeadless(true)
                        .setArgs(List.of(
                                "--no-sandbox",
                                "--headless",
                                "--disable-gpu",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--no-first-run")));
    }

    @AfterAll
    static void closeChromium() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    /** The viewport of each test's page; override for narrow screens. */
    protected Browser.NewContextOptions contextOptions() {
        return new Browser.NewContextOptions().setViewportSize(1180, 760);
    }

    @BeforeEach
    void openPage() {
        context = browser.newContext(contextOptions());
        context.setDefaultTimeout(15_000);
        page = context.newPage();
    }

    @BeforeEach
    void rememberTest(TestInfo test) {
        testName = getClass().getSimpleName() + "-"
                + test.getTestMethod().map(m -> m.getName()).orElse("test");
    }

    @AfterEach
    void screenshotAndClose() throws Exception {
        try {
            screenshot("");
        } finally {
            context.close();
        }
    }

    /** Saves what the page shows now as {@code target/screenshots/<class>-<test><suffix>.png}. */
    protected void screenshot(String suffix) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(SCREENSHOTS.resolve(testName + suffix + ".png"))
                .setFullPage(true)
                .setAnimations(ScreenshotAnimations.DISABLED));
    }
}
