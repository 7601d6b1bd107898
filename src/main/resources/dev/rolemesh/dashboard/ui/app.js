// RoleMesh dashboard: polls GET /v1/status once a second and renders it. No dependencies, works offline.
"use strict";
const KEY = "rolemesh.key";
const COLORS = ["#3b6fd8", "#1a9e77", "#d9822b", "#8e44ad", "#c0392b", "#16a2b8", "#7f8c8d"];
const roleColors = {};
let timer = null;

function color(role) {
  if (!(role in roleColors)) roleColors[role] = COLORS[Object.keys(roleColors).length % COLORS.length];
  return roleColors[role];
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "class") node.className = value;
    else if (name === "style") node.style.cssText = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

const ms = v => v == null ? "–" : v >= 1000 ? (v / 1000).toFixed(2) + " s" : Math.round(v) + " ms";
const num = v => v == null ? "–" : String(v);
const tokens = s => (s.input_tokens ?? "–") + " / " + (s.output_tokens ?? "–");
const statusCell = s => el("td", {class: "num s" + String(s).charAt(0)}, s);

function rows(id, items, render) {
  const body = document.querySelector("#" + id + " tbody");
  body.replaceChildren(...items.map(render));
}

function render(status) {
  const def = status.roles.find(r => r.role === status.default_model);
  document.getElementById("summary").textContent = "default role " + status.default_model + ": "
    + (def && def.available ? "ready" : "cannot serve") + " · config v" + status.version;
  document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
  rows("roles", status.roles, r => el("tr", {"data-role": r.role},
    el("td", {}, el("b", {}, r.role), " ", el("span", {class: "muted"}, r.type)),
    el("td", {}, r.available ? el("span", {class: "pill up"}, "available")
      : el("span", {class: "pill down", title: r.reason || ""}, "down: " + (r.reason || "?"))),
    el("td", {}, r.strategy), el("td", {class: "num"}, r.in_flight), el("td", {class: "num"}, r.waiting),
    el("td", {class: "num"}, r.req_per_s),
    el("td", {class: "num"}, ms(r.ttft_p50_ms)), el("td", {class: "num"}, ms(r.ttft_p95_ms)),
    el("td", {class: "num"}, r.tokens_per_s), el("td", {class: "num"}, Math.round(r.error_rate * 100) + "%")));
  document.getElementById("no-nodes").hidden = status.nodes.length > 0;
  rows("nodes", status.nodes, n => el("tr", {"data-node": n.node_id},
    el("td", {}, el("b", {}, n.node_id), el("div", {class: "muted"}, n.base_url)),
    el("td", {}, el("span", {class: "pill " + (n.state === "fresh" ? "up" : "stale")}, n.state)),
    el("td", {class: "num"}, n.age_s.toFixed(1) + " s"), el("td", {class: "num"}, n.in_flight),
    el("td", {}, n.models.map(m => m.model_id + (m.meta && m.meta.loaded ? " (loaded)" : "")
      + " → " + (m.roles || []).join(", ")).join("; ")),
    el("td", {}, gpus(n.meta))));
  rows("feed", status.requests, s => el("tr", {"data-request": s.request_id},
    el("td", {class: "num"}, new Date(s.at).toLocaleTimeString()), el("td", {}, s.role ?? "–"),
    el("td", {}, s.node ?? "–"), statusCell(s.status), el("td", {class: "num"}, ms(s.ttft_ms)),
    el("td", {class: "num"}, ms(s.duration_ms)), el("td", {class: "num"}, tokens(s)), el("td", {}, s.run ?? "")));
  document.getElementById("runs").replaceChildren(...status.runs.map(run));
  if (status.runs.length === 0) {
    document.getElementById("runs").append(el("p", {class: "muted"}, "No runs yet."));
  }
}

function gpus(meta) {
  const host = meta && meta.host;
  const list = host && host.gpus && host.gpus.length
    ? host.gpus.map(g => "GPU" + g.index + " " + g.name + " " + g.memory_used_mib + "/" + g.memory_total_mib + " MiB")
    : [];
  const servers = (meta && meta.servers || []).map(s => "gpu " + s.gpu + ": " + s.state + (s.model ? " " + s.model : ""));
  return [...list, ...servers].join("; ") || "–";
}

function run(r) {
  const span = Math.max(1, r.ended_ms - r.started_ms);
  const lane = el("div", {class: "lane"});
  const table = el("table", {class: "steps"});
  r.steps.forEach((s, i) => {
    const left = (s.started_ms - r.started_ms) / span * 100;
    const width = Math.max(0.6, s.duration_ms / span * 100);
    lane.append(el("div", {class: "step" + (s.status >= 400 ? " failed" : ""), "data-role": s.role,
      style: "left:" + left + "%;width:" + width + "%;background:" + color(s.role),
      title: s.role + " on " + s.node + ": " + s.status + ", TTFT " + ms(s.ttft_ms) + ", " + ms(s.duration_ms)},
      s.role));
    table.append(el("tr", {},
      el("td", {}, el("span", {class: "swatch", style: "background:" + color(s.role)}), (i + 1) + ". " + s.role),
      el("td", {}, s.node ?? "–"), statusCell(s.status), el("td", {class: "num"}, "TTFT " + ms(s.ttft_ms)),
      el("td", {class: "num"}, ms(s.duration_ms)), el("td", {class: "num"}, tokens(s) + " tokens")));
  });
  const t = r.totals;
  return el("div", {class: "run", "data-run": r.run},
    el("div", {class: "run-head"}, el("b", {}, r.run), el("span", {}, t.steps + " steps"),
      el("span", {}, ms(t.duration_ms) + " wall"), el("span", {}, t.input_tokens + " in / " + t.output_tokens + " out tokens"),
      el("span", {class: t.errors ? "s5" : "s2"}, t.errors + " errors"),
      el("span", {class: "muted"}, r.steps.map(s => s.role).join(" → "))),
    lane, table);
}

async function poll() {
  const key = localStorage.getItem(KEY);
  try {
    const response = await fetch("/v1/status", {headers: key ? {"Authorization": "Bearer " + key} : {}});
    if (response.status === 401) {
      askForKey(key ? "That key was refused." : "");
      return;
    }
    document.getElementById("key-form").hidden = true;
    render(await response.json());
  } catch (e) {
    document.getElementById("summary").textContent = "gateway unreachable: " + e.message;
  }
  timer = setTimeout(poll, 1000);
}

function askForKey(message) {
  document.getElementById("key-form").hidden = false;
  document.getElementById("key-error").textContent = message;
  document.getElementById("summary").textContent = "a key is needed";
}

document.getElementById("key-form").addEventListener("submit", event => {
  event.preventDefault();
  localStorage.setItem(KEY, document.getElementById("key").value.trim());
  clearTimeout(timer);
  poll();
});

poll();
