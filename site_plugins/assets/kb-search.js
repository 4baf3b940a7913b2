/* The agent wiki's search page: queries the kb service's /internal/api/v1/search (signed-in agents see internal
 * pages and agent notes), shows highlighted snippets, copies macro replies; keyboard: arrows and Enter. */
(function () {
  "use strict";
  var root = document.querySelector("[data-kb-search]");
  if (!root) return;
  var meta = function (name) {
    var element = document.querySelector('meta[name="kb:' + name + '"]');
    return element ? element.content : "";
  };
  var service = meta("service");
  var form = root.querySelector("form");
  // Searching never submits the form (here, not in an inline onsubmit: the Content-Security-Policy refuses those)
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  var input = form.querySelector('input[name="q"]');
  var status = root.querySelector(".kb-search__status");
  var list = root.querySelector(".kb-search__results");
  form.querySelector('select[name="lang"]').value = root.getAttribute("data-lang");
  var selected = -1;
  var timer = null;
  var latest = 0;

  if (!service) {
    status.textContent = root.getAttribute("data-unavailable");
    return;
  }
  var base = service.replace(/\/$/, "") + "/";
  var params = new URLSearchParams(location.search);
  if (params.get("q")) input.value = params.get("q");

  function select(index) {
    var items = list.querySelectorAll(".kb-search__hit");
    if (!items.length) return;
    selected = Math.max(0, Math.min(index, items.length - 1));
    items.forEach(function (item, i) { item.classList.toggle("kb-search__hit--selected", i === selected); });
    items[selected].querySelector("a").focus();
  }

  function render(body) {
    list.innerHTML = "";
    selected = -1;
    status.textContent = body.total ? body.total + " — " + body.query : root.getAttribute("data-none");
    if (body.suggestion) {
      var link = document.createElement("a");
      link.href = "?q=" + encodeURIComponent(body.suggestion);
      link.textContent = body.suggestion;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        input.value = body.suggestion;
        run();
      });
      status.append(" · " + root.getAttribute("data-suggest") + " ", link, " ?");
    }
    body.hits.forEach(function (hit) {
      var item = document.createElement("li");
      item.className = "kb-search__hit";
      var title = document.createElement("a");
      title.href = base + hit.snippet.url;
      title.textContent = hit.title;
      title.className = "kb-search__title";
      var badge = document.createElement("span");
      badge.className = "kb-search__type kb-search__type--" + hit.type;
      // Labels in the page's language (the search page carries them)
      badge.textContent = (root.getAttribute("data-type-" + hit.type) || hit.type) +
        (hit.audience === "internal" ? " · " + root.getAttribute("data-internal") : "");
      var where = document.createElement("div");
      where.className = "kb-search__where";
      where.textContent = hit.snippet.heading || "";
      var snippet = document.createElement("p");
      snippet.className = "kb-search__snippet" + (hit.snippet.agent ? " kb-search__snippet--agent" : "");
      snippet.innerHTML = hit.snippet.html;  // escaped by the service, matches in <mark>
      item.append(title, " ", badge, where, snippet);
      if (hit.type === "macro" && hit.reply) {
        var copy = document.createElement("button");
        copy.type = "button";
        copy.className = "md-button kb-copy";
        copy.textContent = root.getAttribute("data-copy");
        copy.addEventListener("click", function () {
          navigator.clipboard.writeText(hit.reply).then(function () {
            copy.textContent = root.getAttribute("data-copied");
            if (window.kbSend) window.kbSend({ type: "macro_used", article: hit.id, lang: hit.lang, version: hit.version });
          });
        });
        item.append(copy);
      }
      list.append(item);
    });
  }

  function run() {
    var text = input.value.trim();
    if (!text) { list.innerHTML = ""; status.textContent = ""; return; }
    // site_lang: the language of the page searched from (the service logs it with the search)
    var query = new URLSearchParams({ q: text, per_page: "20", site_lang: root.getAttribute("data-lang") });
    ["type", "category", "tag", "lang"].forEach(function (name) {
      var value = form.querySelector('select[name="' + name + '"]').value;
      if (value) query.set(name, value);
    });
    try { var session = sessionStorage.getItem("kb-session"); if (session) query.set("session", session); } catch (e) { /* none */ }
    var ticket = ++latest;
    // Under /internal/ the agent's sign-in cookie goes with it; the marker proves the wiki itself asks
    fetch(base + "internal/api/v1/search?" + query.toString(), {
      credentials: "same-origin", headers: { "X-KB-Request": "1" }
    })
      .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
      .then(function (body) { if (ticket === latest) render(body); })
      .catch(function () { if (ticket === latest) status.textContent = root.getAttribute("data-unavailable"); });
  }

  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 200); });
  form.querySelectorAll("select").forEach(function (choice) { choice.addEventListener("change", run); });
  root.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); select(selected + 1); }
    else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (selected <= 0) { selected = -1; input.focus(); } else select(selected - 1);
    }
  });
  if (input.value) run();
})();
