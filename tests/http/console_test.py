"""The web console of `lkstream serve` (issue 18) in headless Chromium (Debian's chromium and
chromium-driver, driven by Debian's python3-selenium): every page renders with real data, the
lag chart follows the lag a stopped consumer group accumulates, and a topic created from the
page exists. One server and one browser for the whole group; screenshots go to SHOTS_DIR.

    console_test.py LKSTREAM_BINARY KCAT CHROMIUM CHROMEDRIVER SHOTS_DIR
"""

import json
import os
import sys
import tempfile
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from serve_fixture import Server

binary, kcat, chromium, chromedriver, shots = sys.argv[1:6]
os.makedirs(shots, exist_ok=True)
TIMEOUT = 90  # generous: a loaded 2-core machine

server = Server(binary, kcat)
results = []
browser = None


def case(fn):
    try:
        fn()
        results.append((fn.__name__, None))
        print(f"PASS {fn.__name__}", flush=True)
    except Exception:  # noqa: BLE001
        results.append((fn.__name__, traceback.format_exc()))
        print(f"FAIL {fn.__name__}\n{traceback.format_exc()}", flush=True)
        try:
            browser.save_screenshot(os.path.join(shots, f"FAILED-{fn.__name__}.png"))
        except Exception:  # noqa: BLE001
            pass


def wait(what, predicate):
    def attempt(_):
        try:
            return predicate()
        except StaleElementReferenceException:  # re-rendered under us: look again
            return False
    return WebDriverWait(browser, TIMEOUT, poll_frequency=0.2).until(
        attempt, message=f"waiting for {what}")


def text_of(element_id):
    return browser.execute_script(
        "const e = document.getElementById(arguments[0]); return e ? e.innerText : null;",
        element_id)


def attr_of(element_id, name):
    return browser.execute_script(
        "const e = document.getElementById(arguments[0]);"
        "return e ? e.getAttribute(arguments[1]) : null;", element_id, name)


def open_page(hash_):
    browser.get(server.http + "/" + hash_)
    wait(f"{hash_} to load", lambda: browser.execute_script(
        "return document.body.dataset.loaded") == hash_)


def table_rows(table_id):
    """The cells' text of a table's data rows, read in one script call: the page re-renders
    every 2 s, so element references held across calls would go stale."""
    return browser.execute_script(
        "const t = document.getElementById(arguments[0]);"
        "if (!t) return [];"
        "return [...t.querySelectorAll('tr')].slice(1).map("
        "  r => [...r.querySelectorAll('td')].map(c => c.innerText));", table_id)


def shot(name):
    browser.save_screenshot(os.path.join(shots, name + ".png"))


def setup_data():
    status, _, body = server.request("POST", "/api/v1/topics", {"name": "ticks", "partitions": 2})
    assert status == 201, body
    server.produce("ticks", [f"AAPL{i}:{{\"price\": {100 + i}, \"qty\": {i}}}" for i in range(200)])
    assert len(server.consume_group("dash", "ticks", 200)) == 200
    server.produce("ticks", [f"MSFT{i}:{{\"price\": {i}}}" for i in range(80)])
    g = server.get_json("/api/v1/groups/dash")
    assert g["lag"] == 80, g


def overview_shows_topics_groups_and_traffic():
    open_page("#/")
    rows = {r[0]: r for r in table_rows("topics-table")}
    assert rows["ticks"][1:3] == ["2", "280"], rows
    groups = {r[0]: r for r in table_rows("groups-table")}
    assert groups["dash"][1:] == ["Empty", "0", "80"], groups
    assert text_of("card-topics") == "1"
    # The traffic chart draws once two samples exist (one per poll); records produced while the
    # page is open show as a rate of bytes in above zero.
    wait("the traffic chart", lambda: browser.find_elements(
        By.CSS_SELECTOR, "#traffic-chart polyline[data-series='bytes in/s']"))
    server.produce("other", [f"k{i}:{'v' * 100}" for i in range(100)])  # auto-created
    wait("bytes in charted", lambda: float(attr_of("traffic-chart", "data-max") or 0) > 1000)
    shot("overview")


def create_topic_from_the_page():
    open_page("#/")
    browser.find_element(By.ID, "create-topic-name").send_keys("from-browser")
    partitions = browser.find_element(By.ID, "create-topic-partitions")
    partitions.clear()
    partitions.send_keys("4")
    browser.find_element(By.ID, "create-topic-submit").click()
    wait("the new topic in the table",
         lambda: "from-browser" in [r[0] for r in table_rows("topics-table")])
    t = server.get_json("/api/v1/topics/from-browser")
    assert t["partition_count"] == 4, t
    # A bad name is refused with the server's reason on the page.
    browser.find_element(By.ID, "create-topic-name").send_keys("no spaces allowed")
    browser.find_element(By.ID, "create-topic-submit").click()
    wait("the refusal", lambda: attr_of("create-topic-result", "class") == "error")
    assert text_of("create-topic-result")


def topic_page_browses_records():
    open_page("#/topic/ticks")
    parts = table_rows("partitions-table")
    assert [p[0] for p in parts] == ["0", "1"] and sum(int(p[3]) for p in parts) == 280, parts
    Select(browser.find_element(By.ID, "records-partition")).select_by_value("0")
    limit = browser.find_element(By.ID, "records-limit")
    limit.clear()
    limit.send_keys("5")
    browser.find_element(By.ID, "records-load").click()
    wait("records", lambda: len(table_rows("records-table")) == 5)
    page = server.get_json("/api/v1/topics/ticks/partitions/0/records?limit=5")
    rows = table_rows("records-table")
    assert [r[0] for r in rows] == [str(r["offset"]) for r in page["records"]]
    assert [r[2] for r in rows] == [r["key"]["text"] for r in page["records"]]
    assert rows[0][3] == page["records"][0]["value"]["text"]
    Select(browser.find_element(By.ID, "records-format")).select_by_value("json")
    wait("pretty JSON", lambda: '"price": ' in table_rows("records-table")[0][3]
         and "\n" in table_rows("records-table")[0][3])
    assert json.loads(table_rows("records-table")[0][3]) == json.loads(
        page["records"][0]["value"]["text"])
    Select(browser.find_element(By.ID, "records-format")).select_by_value("hex")
    first_hex = page["records"][0]["value"]["hex"]
    wait("hex", lambda: table_rows("records-table")[0][3].replace(" ", "").replace("\n", "")
         == first_hex)
    shot("topic")


def lag_chart_follows_a_stopped_group():
    open_page("#/group/dash")
    wait("lag 80 charted", lambda: attr_of("lag-chart", "data-last") == "80")
    assert sum(int(r[5]) for r in table_rows("lag-table")) == 80
    server.produce("ticks", [f"late{i}:x" for i in range(40)])
    wait("lag 120 charted", lambda: attr_of("lag-chart", "data-last") == "120")
    assert int(attr_of("lag-chart", "data-points")) >= 2
    points = browser.execute_script(
        "return document.querySelector('#lag-chart polyline').getAttribute('points')").split()
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[-1] < ys[0], ys  # higher lag is drawn higher (smaller y)
    assert text_of("group-lag") == "120"
    shot("group")


def connectors_and_broker_pages():
    open_page("#/connectors")
    assert "No connectors configured" in text_of("page")
    open_page("#/broker")
    assert text_of("broker-version")
    config = dict((r[0], r[1]) for r in table_rows("broker-config"))
    assert config["listen"] == '"127.0.0.1:0"', config
    shot("broker")


def no_script_errors():
    # The one refusal the test provoked (a bad topic name: 400) is logged by Chromium as a
    # failed resource load; anything else (a script error, another failed request) fails.
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and not (
        "/api/v1/topics - Failed to load resource" in e["message"] and "400" in e["message"])]
    assert not errors, errors


try:
    case(setup_data)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions",
                f"--user-data-dir={tempfile.mkdtemp(prefix='lkstream-chromium-')}"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    browser.set_page_load_timeout(TIMEOUT)
    for fn in [overview_shows_topics_groups_and_traffic, create_topic_from_the_page,
               topic_page_browses_records, lag_chart_follows_a_stopped_group,
               connectors_and_broker_pages, no_script_errors]:
        case(fn)
except Exception:  # noqa: BLE001
    results.append(("browser start", traceback.format_exc()))
    print(f"FAIL browser start\n{traceback.format_exc()}", flush=True)
finally:
    if browser:
        browser.quit()
    code = server.stop()
    if code != 0:
        results.append(("server exits 0 on SIGTERM", f"exit {code}"))
failed = [r for r in results if r[1]]
print(f"{len(results) - len(failed)} passed, {len(failed)} failed; screenshots in {shots}")
sys.exit(1 if failed else 0)
