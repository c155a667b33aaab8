// The workbench page's behaviour: apply edits, redraw forecasts, save variants, follow background jobs.
// Text from the server is set with textContent only, never parsed as HTML.
"use strict";
(function () {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const message = document.getElementById("message");

  function say(text, isError) {
    message.textContent = text;
    message.hidden = !text;
    message.className = isError ? "error" : "note";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: {"content-type": "application/json", "x-csrf-token": token},
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({error: "the server sent no JSON (status " + response.status + ")"}));
    if (!response.ok) throw new Error(data.error || ("status " + response.status));
    return data;
  }

  function fmt(v, digits) { return v === null || v === undefined ? "–" : Number(v).toFixed(digits); }
  function signed(v) { return v === null || v === undefined || Math.abs(v) < 0.05 ? "" : (v > 0 ? "+" : "") + v.toFixed(1); }

  function drawChart(rows) {
    const el = document.getElementById("forecast-chart");
    if (!el || !window.Plotly) return;
    const titles = rows.map(r => r.title);
    const traces = page.models.map((m, k) => ({
      type: "scatter", mode: "markers", name: m, y: titles,
      x: rows.map(r => r.cells[k].value), marker: {size: 9},
      hovertemplate: "%{y}: %{x:.1f}<extra>" + m.replace(/[<>&]/g, "") + "</extra>",
    }));
    window.Plotly.react(el, traces, {
      height: 60 + 26 * rows.length, margin: {l: 250, r: 10, t: 10, b: 40},
      xaxis: {range: [-2, 102], title: {text: "forecast, 0–100"}}, yaxis: {autorange: "reversed"},
      legend: {orientation: "h"},
    }, {displayModeBar: false, responsive: true});
  }

  function showRows(rows) {
    for (const r of rows) {
      const tr = document.querySelector('#forecasts tr[data-issue="' + CSS.escape(r.issue) + '"]');
      if (!tr) continue;
      r.cells.forEach(c => {
        const td = tr.querySelector('td[data-model="' + CSS.escape(c.model) + '"]');
        if (!td) return;
        td.querySelector(".value").textContent = fmt(c.value, 1);
        td.querySelector(".moved").textContent = signed(c.moved);
        td.title = c.band;
      });
    }
    page.rows = rows;
    drawChart(rows);
  }

  function showGrid(grid) {
    for (const r of grid) {
      const tr = document.querySelector('#inputs-table tr[data-issue="' + CSS.escape(r.issue) + '"]');
      if (!tr) continue;
      for (const c of r.cells) {
        const cell = tr.querySelector('td.pos[data-actor="' + CSS.escape(c.actor) + '"]');
        if (!cell) continue;
        cell.querySelector(".band").textContent = c.band;
        cell.classList.toggle("edited", c.edited);
        for (const field of ["position", "salience", "capability"]) {
          const input = tr.querySelector('td[data-actor="' + CSS.escape(c.actor) + '"] input[data-field="' + field + '"]');
          if (input && document.activeElement !== input) input.value = c[field] === null ? "" : c[field];
          if (input) input.dataset.last = input.value;
        }
      }
    }
  }

  async function applyEdit(input) {
    if (input.value === input.dataset.last) return;
    const td = input.closest("td");
    const body = {actor: td.dataset.actor, issue: input.closest("tr").dataset.issue};
    body[input.dataset.field] = input.value;
    try {
      const models = page.models.join(",");
      const data = await post("/api/edit?models=" + encodeURIComponent(models), body);
      input.dataset.last = input.value;
      showRows(data.rows);
      showGrid(data.grid);
      say("", false);
      document.body.dataset.lastEditMs = data.ms;
    } catch (err) {
      say(err.message, true);
      input.value = input.dataset.last || "";
    }
  }

  document.querySelectorAll("#inputs-table input").forEach(input => {
    input.dataset.last = input.value;
    input.addEventListener("change", () => applyEdit(input));
  });

  document.querySelectorAll(".model-box").forEach(box => box.addEventListener("change", () => {
    const chosen = Array.from(document.querySelectorAll(".model-box:checked")).map(b => b.value);
    document.getElementById("models-field").value = chosen.join(",");
  }));

  const saveForm = document.getElementById("save-form");
  if (saveForm) saveForm.addEventListener("submit", async event => {
    event.preventDefault();
    const name = document.getElementById("variant-name").value;
    try {
      const data = await post("/api/variants", {name: name, yaml: document.getElementById("also-yaml").checked});
      say("saved variant " + data.name + " (" + data.changes.length + " changes)" + (data.file ? ", file " + data.file : ""), false);
      document.body.dataset.saved = data.name;
    } catch (err) { say(err.message, true); }
  });

  const reset = document.getElementById("reset-edits");
  if (reset) reset.addEventListener("click", async () => {
    try { await post("/api/reset"); window.location.reload(); } catch (err) { say(err.message, true); }
  });

  const load = document.getElementById("load-variant");
  if (load) load.addEventListener("click", async () => {
    try {
      const data = await post("/api/variants/" + encodeURIComponent(load.dataset.name) + "/load");
      window.location.href = "/forecasts?as_of=" + encodeURIComponent(data.as_of);
    } catch (err) { say(err.message, true); }
  });

  const workHere = document.getElementById("work-here");
  if (workHere) workHere.addEventListener("click", async () => {
    try {
      const data = await post("/api/as-of", {as_of: workHere.dataset.asOf});
      window.location.href = "/forecasts?as_of=" + encodeURIComponent(data.as_of);
    } catch (err) { say(err.message, true); }
  });

  const bar = document.getElementById("job-bar");
  const status = document.getElementById("job-status");
  const cancel = document.getElementById("cancel-job");
  let following = null;

  function showJob(job) {
    if (!job || !job.id) return false;
    bar.hidden = false;
    bar.value = job.done;
    status.textContent = job.title + ": " + job.status + (job.stage ? " · " + job.stage : "") +
      (job.detail ? " (" + job.detail + ")" : "") + (job.error ? " – " + job.error : "");
    const active = job.status === "running" || job.status === "queued";
    cancel.hidden = !active;
    cancel.dataset.job = job.id;
    return active;
  }

  async function follow() {
    const job = await (await fetch("/api/jobs/latest")).json();
    if (showJob(job)) { following = setTimeout(follow, 700); return; }
    if (following !== null && job.status === "done") window.location.reload();
    following = null;
  }

  document.getElementById("run-all").addEventListener("click", async () => {
    try { showJob(await post("/api/jobs", {})); following = setTimeout(follow, 500); } catch (err) { say(err.message, true); }
  });
  cancel.addEventListener("click", async () => {
    try { showJob(await post("/api/jobs/" + cancel.dataset.job + "/cancel")); } catch (err) { say(err.message, true); }
  });

  if (page.rows) drawChart(page.rows);
  fetch("/api/jobs/latest").then(r => r.json()).then(job => { if (showJob(job)) following = setTimeout(follow, 700); });
  window.addEventListener("load", () => { if (page.rows) drawChart(page.rows); });
})();
