// LKSTREAM web console: plain JavaScript over /api/v1 (docs/http-api.md), charts in SVG.
// No framework, no CDN: this file is built into the binary with index.html and style.css.
"use strict";

const POLL_MS = 2000;
const HISTORY = 150;                 // points kept per chart (5 minutes at POLL_MS)
const history = { overview: [], groups: {} };
let timer = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function api(path, options) {
  const res = await fetch(path, options);
  const body = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + units[i];
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
  return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
}

function table(id, headers, rows) {
  const t = el("table", { id });
  t.append(el("tr", {}, ...headers.map(h => el("th", {}, h))));
  for (const r of rows) {
    t.append(el("tr", {}, ...r.map(c => {
      if (c instanceof Node) return el("td", {}, c);
      return el("td", typeof c === "number" ? { class: "num" } : {}, c);
    })));
  }
  return t;
}

function card(label, value, id) {
  return el("div", { class: "card" }, el("div", { class: "v", id: id || "" }, value),
            el("div", { class: "k" }, label));
}

// A line chart of `series` ([{name, color, points: [[t, v], ...]}]) into a new <svg>. The
// svg's data-last and data-max attributes hold the first series' last and largest values
// (read by the browser tests).
function lineChart(id, series, unit) {
  const W = 640, H = 200, L = 56, R = 10, T = 10, B = 22;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("id", id);
  svg.setAttribute("class", "chart");
  svg.setAttribute("width", W);
  svg.setAttribute("height", H);
  const all = series.flatMap(s => s.points);
  if (all.length === 0) return svg;
  const t0 = Math.min(...all.map(p => p[0])), t1 = Math.max(...all.map(p => p[0]), t0 + 1);
  const vmax = Math.max(1, ...all.map(p => p[1]));
  const x = t => L + (W - L - R) * (t - t0) / (t1 - t0);
  const y = v => H - B - (H - T - B) * v / vmax;
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  add("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#ccd" });
  add("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#ccd" });
  add("text", { x: 4, y: T + 8 }, fmt(vmax) + (unit || ""));
  add("text", { x: 4, y: H - B }, "0");
  add("text", { x: L, y: H - 6 }, new Date(t0).toLocaleTimeString());
  add("text", { x: W - R - 60, y: H - 6 }, new Date(t1).toLocaleTimeString());
  for (const s of series) {
    if (s.points.length === 0) continue;
    add("polyline", {
      fill: "none", stroke: s.color, "stroke-width": 2, "data-series": s.name,
      points: s.points.map(p => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join(" "),
    });
  }
  const first = series[0].points;
  if (first.length) {
    svg.setAttribute("data-last", String(first[first.length - 1][1]));
    svg.setAttribute("data-max", String(Math.max(...first.map(p => p[1]))));
  }
  svg.setAttribute("data-points", String(first.length));
  return svg;
}

function fmt(v) {
  if (v >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (v >= 1e3) return (v / 1e3).toFixed(1) + "k";
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function legend(series) {
  return el("div", { class: "legend" }, ...series.map(s =>
    el("span", { style: "color:" + s.color + ";margin-right:1em" }, "\u25A0 " + s.name)));
}

function push(list, point) {
  list.push(point);
  if (list.length > HISTORY) list.shift();
}

// ---- pages -----------------------------------------------------------------------------------

async function overview(page) {
  const [broker, topics, groups] = await Promise.all([
    api("/api/v1/broker"), api("/api/v1/topics"), api("/api/v1/groups")]);
  const k = broker.kafka || { connections: 0, bytes_in: 0, bytes_out: 0, requests: 0 };
  const now = Date.now();
  push(history.overview, { t: now, in: k.bytes_in, out: k.bytes_out, req: k.requests });
  const rate = (field) => {
    const h = history.overview, pts = [];
    for (let i = 1; i < h.length; i++)
      pts.push([h[i].t, Math.max(0, (h[i][field] - h[i - 1][field]) * 1000 / (h[i].t - h[i - 1].t))]);
    return pts;
  };
  const size = topics.topics.reduce((a, t) => a + t.size_bytes, 0);
  const parts = topics.topics.reduce((a, t) => a + t.partition_count, 0);
  const series = [{ name: "bytes in/s", color: "#2c6ecb", points: rate("in") },
                  { name: "bytes out/s", color: "#d9822b", points: rate("out") }];
  page.replaceChildren(
    el("h1", {}, "Overview"),
    el("div", { class: "cards" },
       card("topics", topics.topics.length, "card-topics"), card("partitions", parts),
       card("on disk", bytes(size)), card("Kafka connections", k.connections, "card-connections"),
       card("uptime", duration(broker.uptime_ms))),
    el("h2", {}, "Traffic"), legend(series), lineChart("traffic-chart", series, " B/s"),
    el("h2", {}, "Topics"),
    table("topics-table", ["topic", "partitions", "records", "size"],
          topics.topics.map(t => [el("a", { href: "#/topic/" + encodeURIComponent(t.name) }, t.name),
                                  t.partition_count, t.records, bytes(t.size_bytes)])),
    createTopicForm(),
    el("h2", {}, "Consumer groups"), groupsTable(groups.groups));
}

let topicForm = null;  // kept across refreshes: what the user typed and the last result stay

function createTopicForm() {
  if (topicForm) return topicForm;
  const name = el("input", { id: "create-topic-name", placeholder: "topic name", required: "" });
  const partitions = el("input", { id: "create-topic-partitions", type: "number", min: "1",
                                   value: "1", style: "width:5em" });
  const result = el("span", { id: "create-topic-result" });
  const form = el("form", {
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        await api("/api/v1/topics", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ name: name.value, partitions: Number(partitions.value) }),
        });
        result.className = "ok";
        result.textContent = "created " + name.value;
        name.value = "";
        route();
      } catch (e) {
        result.className = "error";
        result.textContent = e.message;
      }
    },
  }, el("b", {}, "Create topic"), name, "partitions", partitions,
     el("button", { id: "create-topic-submit", type: "submit" }, "Create"), result);
  topicForm = form;
  return form;
}

function groupsTable(groups) {
  return table("groups-table", ["group", "state", "members", "lag"],
               groups.map(g => [el("a", { href: "#/group/" + encodeURIComponent(g.group_id) },
                                   g.group_id), g.state, g.members, g.lag]));
}

async function topicPage(page, name) {
  const t = await api("/api/v1/topics/" + encodeURIComponent(name));
  if (page.querySelector("#records-browser") && page.dataset.topic === name) {
    // Refresh the partition figures only: the record browser keeps its state.
    page.querySelector("#partitions-table").replaceWith(partitionsTable(t));
    return;
  }
  page.dataset.topic = name;
  const del = el("button", {
    class: "danger", id: "delete-topic",
    onclick: async () => {
      if (!confirm("Delete topic " + name + " and all its records?")) return;
      await api("/api/v1/topics/" + encodeURIComponent(name), { method: "DELETE" });
      location.hash = "#/";
    },
  }, "Delete topic");
  page.replaceChildren(
    el("h1", {}, "Topic " + name), del,
    el("h2", {}, "Partitions"), partitionsTable(t),
    el("h2", {}, "Records"), recordBrowser(t),
    el("h2", {}, "Configuration"),
    table("topic-config", ["key", "value"], Object.entries(t.config)));
}

function partitionsTable(t) {
  return table("partitions-table", ["partition", "log start", "high watermark", "records", "size", "segments"],
               t.partitions.map(p => [p.partition, p.log_start, p.high_watermark, p.records,
                                      bytes(p.size_bytes), p.segments]));
}

function render(b, format) {
  if (b === null) return el("i", {}, "null");
  if (format === "hex" || b.text === null)
    return el("pre", {}, b.hex.replace(/(..)/g, "$1 ").trim() + (b.truncated ? " ..." : ""));
  if (format === "json") {
    try { return el("pre", {}, JSON.stringify(JSON.parse(b.text), null, 2)); } catch (e) { /* text */ }
  }
  return el("pre", {}, b.text + (b.truncated ? " ..." : ""));
}

function recordBrowser(t) {
  const part = el("select", { id: "records-partition" },
                  ...t.partitions.map(p => el("option", { value: p.partition }, String(p.partition))));
  const from = el("select", { id: "records-from" }, el("option", { value: "offset" }, "offset"),
                  el("option", { value: "timestamp" }, "timestamp (ms)"));
  const at = el("input", { id: "records-at", type: "number", min: "0", placeholder: "start",
                           style: "width:10em" });
  const limit = el("input", { id: "records-limit", type: "number", min: "1", max: "500",
                              value: "20", style: "width:5em" });
  const format = el("select", { id: "records-format" }, el("option", { value: "text" }, "text"),
                    el("option", { value: "json" }, "JSON"), el("option", { value: "hex" }, "hex"));
  const out = el("div", { id: "records-out" });
  let last = null;
  const show = () => {
    if (!last) return;
    out.replaceChildren(
      el("div", { class: "legend" }, last.records.length + " records, next offset " + last.next_offset),
      table("records-table", ["offset", "timestamp", "key", "value", "headers"],
            last.records.map(r => [r.offset, new Date(r.timestamp).toISOString(),
                                   render(r.key, format.value), render(r.value, format.value),
                                   r.headers.map(h => h.key).join(", ")])));
  };
  const load = async (ev) => {
    if (ev) ev.preventDefault();
    const q = new URLSearchParams({ limit: limit.value || "20" });
    if (at.value !== "") q.set(from.value, at.value);
    try {
      last = await api("/api/v1/topics/" + encodeURIComponent(t.name) + "/partitions/" +
                       part.value + "/records?" + q);
      show();
    } catch (e) {
      out.replaceChildren(el("span", { class: "error" }, e.message));
    }
  };
  format.addEventListener("change", show);
  return el("form", { id: "records-browser", onsubmit: load }, "partition", part, "from", from, at,
            "limit", limit, "as", format, el("button", { id: "records-load", type: "submit" }, "Load"),
            out);
}

async function groupsPage(page) {
  const groups = await api("/api/v1/groups");
  page.replaceChildren(el("h1", {}, "Consumer groups"), groupsTable(groups.groups));
}

async function groupPage(page, id) {
  const g = await api("/api/v1/groups/" + encodeURIComponent(id));
  const h = (history.groups[id] = history.groups[id] || []);
  push(h, [Date.now(), g.lag]);
  const series = [{ name: "total lag (records)", color: "#a33ea1", points: h }];
  if (!resetRows[id]) resetRows[id] = resetRow(id);
  page.replaceChildren(
    el("h1", {}, "Consumer group " + id),
    el("div", { class: "cards" }, card("state", g.state, "group-state"),
       card("members", g.member_count), card("lag", g.lag, "group-lag")),
    el("h2", {}, "Lag over time"), legend(series), lineChart("lag-chart", series, ""),
    el("h2", {}, "Lag per partition"),
    table("lag-table", ["topic", "partition", "committed", "log start", "end offset", "lag"],
          g.offsets.map(o => [o.topic, o.partition, o.committed, o.log_start, o.end_offset, o.lag])),
    el("h2", {}, "Members"),
    table("members-table", ["member", "client", "host", "assignment"],
          g.members.map(m => [m.member_id, m.client_id, m.client_host,
                              m.assignment.map(a => a.topic + "-" + a.partition).join(", ")])),
    resetRows[id]);
}

const resetRows = {};  // per group, kept across refreshes (the last result stays)

function resetRow(id) {
  const result = el("span", { id: "reset-result" });
  return el("div", { class: "row" },
       el("button", {
         id: "reset-offsets", class: "danger",
         onclick: async () => {
           if (!confirm("Delete the committed offsets of " + id + "? It restarts from its " +
                        "auto.offset.reset policy.")) return;
           try {
             const r = await api("/api/v1/groups/" + encodeURIComponent(id) + "/reset-offsets",
                                 { method: "POST", headers: { "Content-Type": "application/json" },
                                   body: "{}" });
             result.className = "ok";
             result.textContent = r.offsets_removed + " offsets removed";
           } catch (e) {
             result.className = "error";
             result.textContent = e.message;
           }
         },
       }, "Reset offsets"), result, " (refused while the group has members)");
}

async function connectorsPage(page) {
  const c = await api("/api/v1/connectors");
  page.replaceChildren(
    el("h1", {}, "Connectors"),
    c.connectors.length === 0 ? el("p", {}, "No connectors configured ([[connector]] in the TOML).")
      : table("connectors-table", ["name", "plugin", "kind", "state", "records", "lag", "restarts",
                                   "last error", "condition"],
              c.connectors.map(x => [x.name, x.plugin, x.kind, x.state, x.records, x.lag, x.restarts,
                                     x.last_error, x.condition])));
}

async function brokerPage(page) {
  const b = await api("/api/v1/broker");
  const k = b.kafka || {};
  page.replaceChildren(
    el("h1", {}, "Broker"),
    el("div", { class: "cards" }, card("version", b.version, "broker-version"),
       card("uptime", duration(b.uptime_ms)), card("node id", b.node_id),
       card("Kafka", k.listen || "-"), card("resident memory", bytes(b.process.resident_bytes)),
       card("open files", b.process.open_files)),
    el("h2", {}, "[broker] configuration (" + b.config_source + ")"),
    table("broker-config", ["key", "value"], Object.entries(b.config)),
    el("h2", {}, "[topic_defaults]"),
    table("topic-defaults", ["key", "value"], Object.entries(b.topic_defaults)));
}

// ---- routing ---------------------------------------------------------------------------------

async function route() {
  const page = document.getElementById("page");
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  const arg = decodeURIComponent(parts.slice(1).join("/"));
  for (const a of document.querySelectorAll("nav a"))
    a.classList.toggle("active", a.getAttribute("href") === "#/" + parts[0]);
  if (page.dataset.route !== location.hash) {
    page.dataset.route = location.hash;
    delete page.dataset.topic;
  }
  const status = document.getElementById("status");
  try {
    if (parts[0] === "topic") await topicPage(page, arg);
    else if (parts[0] === "groups") await groupsPage(page);
    else if (parts[0] === "group") await groupPage(page, arg);
    else if (parts[0] === "connectors") await connectorsPage(page);
    else if (parts[0] === "broker") await brokerPage(page);
    else await overview(page);
    status.textContent = "updated " + new Date().toLocaleTimeString();
    document.body.dataset.loaded = location.hash || "#/";
  } catch (e) {
    status.textContent = "error: " + e.message;
  }
}

function start() {
  clearInterval(timer);
  route();
  timer = setInterval(() => {
    // Forms being edited are not replaced under the user's cursor.
    const focused = document.activeElement;
    if (focused && (focused.tagName === "INPUT" || focused.tagName === "SELECT")) return;
    route();
  }, POLL_MS);
}

window.addEventListener("hashchange", start);
start();
