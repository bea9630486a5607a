"""The queue's first page in headless Chromium, for benches/console.rs --browser.

Signs in, then loads /ui/alerts twenty times and prints the Navigation
Timing API's figures (milliseconds from the start of navigation): the
first byte of the answer, the page's DOM ready, and the load event (the
page shown, its stylesheet and script included). Run by hand, not in CI.
"""

import os

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

BASE = os.environ["SCREENER_URL"]
KEY = os.environ["SCREENER_ANALYST_KEY"]
PROFILE = os.environ["CHROME_PROFILE"]
RUNS = 20

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", f"--user-data-dir={PROFILE}",
            "--window-size=1280,900"]:
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get(BASE + "/ui/sign-in?next=/ui/alerts")
    driver.find_element(By.ID, "key").send_keys(KEY)
    driver.find_element(By.CSS_SELECTOR, "form.signin button").click()
    figures = []
    for _ in range(RUNS):
        driver.get(BASE + "/ui/alerts")
        assert driver.find_elements(By.CSS_SELECTOR, "#queue tbody tr"), "the queue shows alerts"
        figures.append(driver.execute_script(
            "var n = performance.getEntriesByType('navigation')[0];"
            "return [n.responseStart, n.domContentLoadedEventEnd, n.loadEventEnd];"))

    def pct(values, p):
        values = sorted(values)
        return values[round((len(values) - 1) * p)]
    for i, what in enumerate(["first byte", "DOM ready", "load event (shown)"]):
        column = [f[i] for f in figures]
        print(f"browser, queue first page, {what}: p50 {pct(column, 0.5):.0f} ms, "
              f"p95 {pct(column, 0.95):.0f} ms, max {max(column):.0f} ms ({RUNS} loads)")
finally:
    driver.quit()
