/* The help center's search box, answered by kb's own engine when the site is served with the service:
 * /api/v1/search (public content only) gives stemming and accent folding, typo tolerance and "did you mean",
 * keywords as synonyms and snippets of the matching passage; only articles are results. The box and result
 * panel stay mkdocs-material's (its keyboard handling included): kb keeps the theme's own search from seeing
 * the query (its keyup listener) and fills the panel. The theme still searches on its own at other moments
 * (focus changes, its index becoming ready while the reader types), so whatever it writes into the panel while
 * kb answers is undone at once: the reader only ever sees kb's results. When there is no kb service at the
 * address (a static host, the service stopped: its health check fails when the reader first comes to the
 * box), kb steps aside for good and the theme's built-in search answers instead; a busy service (429, 5xx)
 * is not a reason to switch engines mid-search.
 * Searches are logged by kb.js (what the reader was shown), not by these as-you-type requests (log=0). */
(function () {
  "use strict";
  var serviceMeta = document.querySelector('meta[name="kb:service"]');
  var input = document.querySelector('[data-md-component="search-query"]');
  var panel = document.querySelector('[data-md-component="search"]');
  if (!serviceMeta || !serviceMeta.content || !input || !panel) return;
  var langMeta = document.querySelector('meta[name="kb:lang"]');
  var lang = langMeta ? langMeta.content : "";
  var base = new URL(serviceMeta.content.replace(/\/$/, "") + "/", location.href);
  var meta = document.querySelector(".md-search-result__meta");
  var list = document.querySelector(".md-search-result__list");
  var active = true;
  var timer = null;
  var latest = 0;
  var shown = null;  // the last answer kb rendered: {body, query}
  var metaShown = "";

  list.setAttribute("data-kb-engine", "");  // kb.js logs a search once its results are shown

  function text(name) { return panel.getAttribute("data-kb-" + name) || ""; }

  function keepFromTheme(event) {
    if (active && event.target === input) {
      event.stopPropagation();  // the theme's query observable never sees it
      if (event.type === "keyup" && event.key !== "Enter" && event.key !== "ArrowDown" && event.key !== "ArrowUp") {
        clearTimeout(timer);
        timer = setTimeout(run, 150);
      }
    }
  }
  window.addEventListener("keyup", keepFromTheme, true);
  input.addEventListener("input", function () { if (active) { clearTimeout(timer); timer = setTimeout(run, 150); } });

  // Which engine answers is decided once, when the reader first comes to the box and before any keystroke
  // is answered: kb's when the service answers its health check, the theme's otherwise. Keystrokes typed
  // while the check is under way wait for it.
  var decision = null;  // a promise, once asked
  var service = false;  // the service answered the check
  function decide() {
    if (decision) return decision;
    decision = fetch(new URL("api/v1/health", base), { cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (body) { return !!body && body.status === "ok"; }, function () { return false; })
      .then(function (ok) {
        service = ok;
        if (!ok) stepAside();
        return ok;
      });
    return decision;
  }
  window.addEventListener("focusin", function (event) { if (event.target === input) decide(); }, true);
  if (document.activeElement === input || new URLSearchParams(location.search).has("q")) decide();

  // Anything in the list that kb did not put there, or a count kb did not write, came from the theme.
  var guard = new MutationObserver(function () {
    if (!active) return;
    var foreign = Array.prototype.some.call(list.children, function (child) { return !child.hasAttribute("data-kb-hit"); });
    if (!foreign && meta.textContent === metaShown) return;
    if (shown) render(shown.body, shown.query);
    else { list.innerHTML = ""; meta.textContent = text("placeholder"); metaShown = meta.textContent; }
  });
  guard.observe(list, { childList: true });
  guard.observe(meta, { childList: true, characterData: true, subtree: true });

  function stepAside() {
    active = false;
    guard.disconnect();
    list.removeAttribute("data-kb-engine");
    window.removeEventListener("keyup", keepFromTheme, true);
    input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));  // the theme searches what is typed
  }

  function item(hit) {
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    li.setAttribute("data-kb-hit", "");
    var link = document.createElement("a");
    link.className = "md-search-result__link";
    link.tabIndex = -1;
    link.href = new URL(hit.snippet.url || hit.url, base).toString();
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var title = document.createElement("h1");
    title.textContent = hit.title;
    var where = document.createElement("p");
    where.className = "kb-search-hit__heading";
    where.textContent = hit.snippet.heading || "";
    var snippet = document.createElement("p");
    snippet.innerHTML = hit.snippet.html;  // escaped by the service, matches in <mark>
    article.append(title);
    if (hit.snippet.heading) article.append(where);
    article.append(snippet);
    link.append(article);
    li.append(link);
    return li;
  }

  function render(body, query) {
    list.innerHTML = "";
    var count = body.total;
    meta.textContent = count === 0 ? text("none") : count === 1 ? text("one") : text("count").replace("#", count);
    if (body.suggestion) {
      var again = document.createElement("a");
      again.href = "#";
      again.textContent = body.suggestion;
      again.className = "kb-search-suggestion";
      again.addEventListener("click", function (event) {
        event.preventDefault();
        input.value = body.suggestion;
        run();
        input.focus();
      });
      meta.append(" · " + text("suggest") + " ", again, " ?");
    }
    body.hits.forEach(function (hit) { list.append(item(hit)); });
    metaShown = meta.textContent;
    shown = { body: body, query: query };
    list.setAttribute("data-kb-answered", query);
  }

  function run() {
    if (!service) {
      decide().then(function (ok) { if (ok) run(); });
      return;
    }
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) { shown = null; list.innerHTML = ""; meta.textContent = text("placeholder"); metaShown = meta.textContent; return; }
    var params = new URLSearchParams({ q: query, per_page: "20", log: "0" });
    if (lang) params.set("lang", lang);
    fetch(new URL("api/v1/search?" + params.toString(), base))
      .then(function (answer) {
        if (answer.ok) return answer.json().catch(function () { return Promise.reject("not kb"); });
        return Promise.reject(answer.status);
      })
      .then(function (body) {
        if (!body || !Array.isArray(body.hits)) return Promise.reject("not kb");
        if (ticket === latest && active) render(body, query);
      })
      .catch(function (status) {
        // 422: a query the engine refuses (a control character...): no result.
        if (status === 422) { if (ticket === latest && active) render({ total: 0, hits: [] }, query); return; }
        // Busy (429) or failing for a moment (5xx): the health check chose kb's engine, which stays (the next
        // keystroke asks again).
        if (status === 429 || (typeof status === "number" && status >= 500)) return;
        // No service at this address (network error, 404, an HTML page): the built-in search answers.
        if (active) stepAside();
      });
  }
})();
