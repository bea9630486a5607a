"""The analyst's day in headless Chromium, driven by tests/browser/main.rs.

Signs in, screens a listed name, loads customers (one of them designated
only in a later list), refreshes the OFAC list, finds the new alert in the
queue by keyboard, clears it as a false positive, checks the pair stays
quiet after a rescreen, finds the decision in the audit trail and verifies
the chain. The alert is opened, decided and confirmed from the keyboard
only. Every page is checked with axe-core (no serious or critical
violation), for Content-Security-Policy reports in the console log, for
content wider than the screen at 1280 px and at 390 px, and saved as a
screenshot at both widths. The browser runs in the Asia/Kolkata time zone
(UTC+5:30), so times shown in the analyst's zone differ from UTC. Exits
non-zero with the reason on the first failure.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

BASE = os.environ["SCREENER_URL"]
KEY = os.environ["SCREENER_ANALYST_KEY"]
ADMIN = os.environ["SCREENER_ADMIN_TOKEN"]
SHOTS = os.environ["SCREENSHOTS"]
PROFILE = os.environ["CHROME_PROFILE"]
BIN = os.environ["SCREENER_BIN"]
NEW_SDN = os.environ["NEW_SDN_FILES"].split("\n")

LONG_NAME = ("Wolfeschlegelsteinhausenbergerdorff" * 30)[:1000]
RTL_NAME = "محمد عبد الله"

serious = []


def step(msg):
    print(f"[walk] {msg}", flush=True)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def api(method, path, body=None, token=ADMIN):
    req = urllib.request.Request(BASE + path, method=method, data=body)
    req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=600) as res:
        return json.loads(res.read() or b"null")


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    f"--user-data-dir={PROFILE}", "--window-size=1280,900",
]:
    options.add_argument(arg)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(120)
ZONE = "Asia/Kolkata"
driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ZONE})
WIDE, NARROW = (1280, 900), (390, 844)


def page_checks(name):
    """axe-core, CSP reports, and the page fits and is saved at 1280 and 390 px."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    for v in results["violations"]:
        if v.get("impact") in ("serious", "critical"):
            where = "; ".join(
                f"{n.get('target')} {n.get('failureSummary', '')[:160]}" for n in v["nodes"][:3])
            serious.append(f"{name}: {v['id']} ({v['impact']}): {v['help']} at {where}")
    for entry in driver.get_log("browser"):
        check("Content Security Policy" not in entry["message"],
              f"{name}: CSP report: {entry['message']}")
    for (w, h), suffix in [(WIDE, ""), (NARROW, "-390")]:
        driver.set_window_size(w, h)
        check(driver.execute_script("return window.innerWidth") <= w,
              f"{name}: the window is {w} px wide")
        fits(f"{name} at {w} px")
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(os.path.join(SHOTS, f"{name}{suffix}.png"))
    driver.set_window_size(*WIDE)


def wait_for(cond, msg, seconds=30):
    """Waits for a condition after a click (navigation is asynchronous)."""
    deadline = time.time() + seconds

    def holds():
        try:
            return cond()
        except Exception:  # the old page went away mid-read
            return False
    while not holds():
        check(time.time() < deadline, msg())
        time.sleep(0.1)


def click_and_load(el):
    """Clicks what submits a form or follows a link, and waits for the new page."""
    old = driver.find_element(By.TAG_NAME, "html")
    el.click()
    def gone():
        try:
            old.tag_name
            return False
        except Exception:
            return True
    wait_for(gone, lambda: "the page did not change")
    wait_for(lambda: driver.execute_script("return document.readyState") == "complete",
             lambda: "the page did not load")


def body_text():
    return driver.find_element(By.TAG_NAME, "body").text


def fits(name):
    wide = driver.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth")
    check(wide <= 0, f"{name}: the page is {wide}px wider than the screen")


try:
    step("sign in")
    driver.get(BASE + "/ui/alerts")
    check("/ui/sign-in" in driver.current_url, "no session: sent to sign-in")
    page_checks("01-sign-in")
    driver.find_element(By.ID, "key").send_keys(KEY)
    click_and_load(driver.find_element(By.CSS_SELECTOR, "form.signin button"))
    check(driver.current_url.endswith("/ui/alerts"), f"back to the queue: {driver.current_url}")
    check("Signed in as ana" in body_text(), "the analyst's name is shown")

    step("screen a listed name")
    driver.get(BASE + "/ui/screen")
    driver.find_element(By.ID, "name").send_keys("Viktor Bout")
    driver.find_element(By.ID, "birthDate").send_keys("1967-01-13")
    click_and_load(driver.find_element(By.CSS_SELECTOR, "form.screen button"))
    cards = driver.find_elements(By.CSS_SELECTOR, "li.card.hit")
    check(cards, "a hit for Viktor Bout")
    check("BOUT" in cards[0].text, cards[0].text)
    check(cards[0].find_elements(By.TAG_NAME, "mark"), "aligned parts highlighted")
    page_checks("02-screen")

    step("load customers")
    driver.get(BASE + "/ui/customers/import")
    rows = [
        {"id": "c-bout", "name": "Viktor Bout", "schema": "Person", "birthDate": "1967-01-13", "countries": ["ru"], "segment": "retail"},
        {"id": "c-usmanov", "name": "Alisher Usmanov", "schema": "Person", "birthDate": "1953-09-09", "countries": ["ru", "uz"], "segment": "private_banking"},
        {"id": "c-maria", "name": "Maria Fernandez Lopez", "schema": "Person", "birthDate": "1985-02-11", "countries": ["es"]},
        {"id": "c-long", "name": LONG_NAME},
        {"id": "c-rtl", "name": RTL_NAME},
        {"id": "c-script", "name": "<script>alert(1)</script>"},
    ]
    box = driver.find_element(By.ID, "customers")
    driver.execute_script("arguments[0].value = arguments[1]", box,
                          "\n".join(json.dumps(r) for r in rows))
    click_and_load(driver.find_element(By.CSS_SELECTOR, "form.import button"))
    text = body_text()
    check("6 customers: 6 created" in text, text)
    page_checks("03-import")
    driver.get(BASE + "/ui/customers/c-script")
    check("<script>alert(1)</script>" in body_text(), "the script name is shown as text")
    driver.get(BASE + "/ui/customers/c-rtl")
    el = driver.find_element(By.CSS_SELECTOR, "p.customer-name")
    check(el.get_attribute("dir") == "auto", "right-to-left names get dir=auto")
    driver.get(BASE + "/ui/customers/c-long")
    page_checks("04-customer-long-name")
    for w, h in [WIDE, NARROW]:
        driver.set_window_size(w, h)
        box = driver.execute_script(
            "var r = document.querySelector('p.customer-name').getBoundingClientRect();"
            "return [r.right, r.height, window.innerWidth,"
            " parseFloat(getComputedStyle(document.querySelector('p.customer-name')).lineHeight)];")
        right, height, inner, line = box
        check(right <= inner, f"the 1,000-character name ends at {right} px of {inner} ({w} px)")
        check(height >= 3 * line, f"the 1,000-character name wraps at {w} px: {height} px high")
    driver.set_window_size(*WIDE)
    driver.get(BASE + "/ui/customers")
    check(LONG_NAME in body_text(), "the long name is in the customer list")
    page_checks("04-customers")

    step("the queue before the list update: Bout only")
    driver.get(BASE + "/ui/alerts")
    check("c-bout" in body_text(), "Bout's alert")
    check("c-usmanov" not in body_text(), "no alert for Usmanov yet")

    step("refresh the OFAC list (import the 2024 file set, then /v1/admin/refresh)")
    env = dict(os.environ)
    out = subprocess.run([BIN, "import", "us_ofac_sdn", *NEW_SDN], env=env,
                         capture_output=True, text=True)
    check(out.returncode == 0, f"import: {out.stderr}")
    api("POST", "/v1/admin/refresh", b"")
    deadline = time.time() + 300
    while True:
        driver.get(BASE + "/ui/alerts?status=open&sort=newest")
        if "c-usmanov" in body_text():
            break
        check(time.time() < deadline, "no alert for Usmanov after the refresh")
        time.sleep(2)
    page_checks("05-queue")
    driver.get(BASE + "/ui/lists")
    page_checks("06-lists")

    step("open the new alert from the keyboard")
    driver.get(BASE + "/ui/alerts?status=open&sort=newest")
    rows = driver.find_elements(By.CSS_SELECTOR, "#queue tbody tr")
    index = next(i for i, r in enumerate(rows) if "c-usmanov" in r.text)
    page = driver.find_element(By.TAG_NAME, "body")
    for _ in range(index + 1):
        page.send_keys("j")
    old = driver.current_url
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(lambda: driver.current_url != old, lambda: "Enter did not open the alert")
    check("/ui/alerts/" in driver.current_url, f"the alert opened: {driver.current_url}")
    alert_url = driver.current_url
    text = body_text()
    check("Customer and listed party" in text and "Alisher Usmanov" in text, text[:500])
    check("us_ofac_sdn@" in text, "the version that raised it")
    page_checks("07-alert")

    step("clear it as a false positive from the keyboard: d, Space, Tab, reason, Ctrl+Enter")
    driver.find_element(By.TAG_NAME, "body").send_keys("d")
    active = driver.switch_to.active_element
    check(active.get_attribute("id") == "d-fp", f"d focuses the decision: {active.get_attribute('id')}")
    active.send_keys(Keys.SPACE)
    check(driver.find_element(By.ID, "d-fp").is_selected(), "Space chose false positive")
    active.send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    check(active.get_attribute("id") == "reason", f"Tab goes to the reason: {active.get_attribute('id')}")
    active.send_keys("different person: passport and date of birth checked")
    active.send_keys(Keys.CONTROL, Keys.ENTER)
    wait_for(lambda: "Decision recorded" in body_text(), lambda: body_text()[:500])
    page_checks("09-decided")

    step("n opens the next open alert")
    nxt = driver.find_element(By.ID, "next-alert").get_attribute("href")
    old = driver.current_url
    driver.find_element(By.TAG_NAME, "body").send_keys("n")
    wait_for(lambda: driver.current_url != old, lambda: "n did not open the next alert")
    check(driver.current_url == nxt, f"the next open alert: {driver.current_url} (link {nxt})")
    check(driver.find_elements(By.ID, "decide"), "the next alert is open, with its form")

    step("the pair stays quiet after a rescreen")
    api("POST", "/v1/monitor/rescreen?wait=true&full=true", b"")
    driver.get(alert_url)
    check("This alert is closed (False positive) by ana" in body_text(), body_text()[:800])
    driver.get(BASE + "/ui/alerts?status=open")
    check("c-usmanov" not in body_text(), "no new open alert on the pair")

    step("the decision in the audit trail; verify the chain")
    driver.get(BASE + "/ui/audit?q=false_positive")
    text = body_text()
    check("alert.updated" in text and "ana" in text, text[:800])
    page_checks("10-audit")
    click_and_load(driver.find_element(By.XPATH, "//button[text()='Verify chain']"))
    check("The chain holds" in body_text(), body_text()[:500])
    page_checks("11-verify")

    step("times are shown in the analyst's zone, UTC on hover")
    driver.get(alert_url)
    for t in driver.find_elements(By.TAG_NAME, "time"):
        check(t.get_attribute("title").endswith(" UTC"), "UTC on hover")
        local, utc = driver.execute_script(
            "var d = new Date(arguments[0]);"
            "var f = function (z) { return new Intl.DateTimeFormat(undefined,"
            " {dateStyle: 'medium', timeStyle: 'short', timeZone: z}).format(d); };"
            "return [f(arguments[1]), f('UTC')];", t.get_attribute("datetime"), ZONE)
        check(t.text == local, f"shown in {ZONE}: {t.text!r}, expected {local!r}")
        check(t.text != utc, f"not UTC: {t.text!r}")

    check(not serious, "axe-core: serious or critical violations:\n" + "\n".join(serious))
    step("done")
finally:
    driver.quit()
