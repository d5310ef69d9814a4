// The review page's behaviour. Everything works without it (links and forms); this adds
// the source pane that follows the story under the cursor, jumps to cited sentences,
// keyboard moves (j/k), confirmations, and the editor's shortcuts.
"use strict";

(function () {
  const pane = document.getElementById("sources");
  const units = Array.from(document.querySelectorAll(".unit"));
  let current = document.querySelector(".unit.selected");
  let request = 0;
  let dwell = null;

  function unitOf(address) {
    return document.getElementById("u-" + address);
  }

  function select(unit) {
    if (!unit || !pane) return Promise.resolve();
    if (unit === current && pane.querySelector('.pane[data-address="' + unit.dataset.address + '"]')) {
      return Promise.resolve();
    }
    units.forEach((u) => u.classList.toggle("selected", u === unit));
    current = unit;
    const url = new URL(window.location.href);
    url.searchParams.set("story", unit.dataset.address);
    url.hash = "";
    history.replaceState(null, "", url.toString());
    const mine = ++request;
    pane.classList.add("loading");
    return fetch(unit.dataset.src, { credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => {
        if (mine !== request) return;
        pane.innerHTML = html;
        pane.scrollTop = 0;
        pane.classList.remove("loading");
      })
      .catch(() => {
        if (mine === request) pane.textContent = "来源加载失败，请重新载入页面。";
      });
  }

  // Scroll the pane only (scrolling the window would move the draft under the mouse).
  function scrollPane(element) {
    if (pane.scrollHeight <= pane.clientHeight) {
      const box = element.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) element.scrollIntoView({ block: "nearest" });
      return;
    }
    const offset = element.getBoundingClientRect().top - pane.getBoundingClientRect().top;
    pane.scrollTop += offset - pane.clientHeight / 3;
  }

  function showCited(claim) {
    if (!pane) return;
    pane.querySelectorAll("mark.cited.focus").forEach((m) => m.classList.remove("focus"));
    const marks = pane.querySelectorAll('mark.cited[data-claims~="' + CSS.escape(claim) + '"]');
    marks.forEach((m) => m.classList.add("focus"));
    pane.querySelectorAll(".uncited li.focus").forEach((m) => m.classList.remove("focus"));
    const anchor = document.getElementById("src-" + claim) || marks[0];
    if (anchor && anchor.tagName === "LI") anchor.classList.add("focus");
    if (anchor) scrollPane(anchor);
  }

  document.addEventListener("click", (event) => {
    const jump = event.target.closest("a.jump, a.tool[data-story], a.flag-jump");
    if (jump && pane) {
      event.preventDefault();
      const unit = unitOf(jump.dataset.story);
      select(unit).then(() => {
        if (jump.dataset.claim) showCited(jump.dataset.claim);
        if (jump.dataset.target) {
          const flag = document.getElementById(jump.dataset.target);
          if (flag) {
            flag.scrollIntoView({ block: "center" });
            flag.classList.remove("target");
            void flag.offsetWidth;
            flag.classList.add("target");
          }
        }
      });
      return;
    }
    const unit = event.target.closest(".unit");
    if (unit && !event.target.closest("a, button, select, form")) select(unit);
  });

  units.forEach((unit) => {
    unit.addEventListener("mouseenter", () => {
      clearTimeout(dwell);
      dwell = setTimeout(() => select(unit), 350);
    });
    unit.addEventListener("mouseleave", () => clearTimeout(dwell));
    unit.addEventListener("focus", () => select(unit));
  });

  document.addEventListener("mouseover", (event) => {
    const claim = event.target.closest(".claim");
    if (claim && pane && claim.closest(".unit") === current) {
      pane.querySelectorAll("mark.cited").forEach((m) =>
        m.classList.toggle("hover", m.dataset.claims.split(" ").includes(claim.dataset.claim)));
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey) return;
    if (event.key !== "j" && event.key !== "k") return;
    if (!units.length) return;
    const at = units.indexOf(current);
    const next = units[Math.min(units.length - 1, Math.max(0, at + (event.key === "j" ? 1 : -1)))];
    select(next);
    next.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  if (current && pane && window.location.hash.startsWith("#src-")) {
    showCited(window.location.hash.slice(5));
  }

  // --- the editor ---------------------------------------------------------------------
  const editor = document.getElementById("editor");
  if (!editor) return;
  const form = document.getElementById("edit-form");
  const original = editor.value;
  let submitting = false;

  function selectLine(n) {
    const lines = editor.value.split("\n");
    const line = Math.max(1, Math.min(n, lines.length));
    let start = 0;
    for (let i = 0; i < line - 1; i++) start += lines[i].length + 1;
    editor.focus();
    editor.setSelectionRange(start, start + lines[line - 1].length);
    const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 20;
    editor.scrollTop = Math.max(0, (line - 5) * lineHeight);
  }

  document.querySelectorAll("[data-line]").forEach((link) =>
    link.addEventListener("click", (event) => {
      event.preventDefault();
      selectLine(parseInt(link.dataset.line, 10));
    }));
  if (window.location.hash.startsWith("#L")) selectLine(parseInt(window.location.hash.slice(2), 10));

  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      submitting = true;
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("beforeunload", (event) => {
    if (!submitting && editor.value !== original) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
