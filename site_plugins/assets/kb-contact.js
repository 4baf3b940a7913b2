/* The help center's contact step: as the customer types what the problem is, matching articles appear
 * (kb's own search engine, /api/v1/search, public content only; without the service, the site's article
 * list, assets/kb/articles.json). "Contact support" then goes to the contact URL, with the typed subject in
 * place of {subject}. The typed text is never sent to kb: only which step, suggestion and contact happened. */
(function () {
  "use strict";
  var root = document.querySelector("[data-kb-contact-step]");
  if (!root) return;
  var lang = root.getAttribute("data-lang");
  var input = root.querySelector('input[name="subject"]');
  var status = root.querySelector(".kb-contact-step__status");
  var list = root.querySelector(".kb-contact-step__answers");
  var button = root.querySelector("[data-kb-contact-template]");
  var template = button.getAttribute("data-kb-contact-template");
  var siteRoot = new URL(root.getAttribute("data-root"), location.href);
  var serviceMeta = document.querySelector('meta[name="kb:service"]');
  var service = serviceMeta ? serviceMeta.content : "";
  var api = service ? new URL(service.replace(/\/$/, "") + "/api/v1/search", location.href) : null;
  var from = new URLSearchParams(location.search).get("from") || "";
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(from)) from = "";
  var send = window.kbSend || function () {};
  var timer = null;
  var latest = 0;
  var selected = -1;
  var articles = null;  // the static list, loaded once when the service does not answer

  root.querySelector("form").addEventListener("submit", function (event) { event.preventDefault(); });
  if (from) button.setAttribute("data-kb-from", from);

  function opened() {
    var event = { type: "contact_step", lang: lang };
    if (from) event.article = from;
    send(event);
  }
  opened();
  // Back from a suggested article (the page comes from the back-forward cache): a new visit of the step
  window.addEventListener("pageshow", function (event) { if (event.persisted) opened(); });

  function contactHref() {
    var subject = input.value.trim().slice(0, 200);
    return template.split("{subject}").join(encodeURIComponent(subject));
  }
  input.addEventListener("input", function () {
    button.href = contactHref();
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function words(text) {
    return fold(text).split(/[^a-z0-9]+/).filter(function (word) { return word.length > 2; });
  }

  // Without the service: articles scored by the query's words in their title, keywords and summary (a word
  // of 4 letters or more also matches as the start of a longer one)
  function staticHits(text) {
    var query = words(text);
    var scored = articles.map(function (article) {
      var fields = [[words(article.title), 3], [words(article.keywords.join(" ")), 2], [words(article.summary), 1]];
      var score = 0;
      query.forEach(function (word) {
        fields.forEach(function (field) {
          if (field[0].some(function (w) { return w === word || (word.length > 3 && w.indexOf(word) === 0); })) {
            score += field[1];
          }
        });
      });
      return { score: score, article: article };
    });
    return scored
      .filter(function (entry) { return entry.score > 0; })
      .sort(function (a, b) { return b.score - a.score || (a.article.lang === lang ? -1 : 1); })
      .slice(0, 5)
      .map(function (entry) {
        var a = entry.article;
        return { id: a.id, lang: a.lang, title: a.title, url: a.url, text: a.summary };
      });
  }

  function fromStatic(text) {
    // This language's site lists its articles (fallbacks included) next to kb.js; the page is one folder down
    var ready = articles
      ? Promise.resolve()
      : fetch(new URL("../assets/kb/articles.json", location.href))
        .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
        .then(function (list) { articles = list; });
    return ready.then(function () { return staticHits(text); });
  }

  function fromService(text) {
    // log=0: what the customer types here is theirs; kb keeps none of it
    var query = new URLSearchParams({ q: text, lang: lang, per_page: "5", log: "0" });
    return fetch(api.toString() + "?" + query.toString())
      .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
      .then(function (body) {
        return body.hits.map(function (hit) {
          return { id: hit.id, lang: hit.lang, title: hit.title, url: hit.snippet.url, html: hit.snippet.html };
        });
      });
  }

  function render(hits) {
    list.innerHTML = "";
    selected = -1;
    status.textContent = hits.length ? root.getAttribute("data-suggestions") : root.getAttribute("data-none");
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      item.className = "kb-contact-step__answer";
      var link = document.createElement("a");
      link.href = new URL(hit.url, siteRoot).toString();
      link.textContent = hit.title;
      link.addEventListener("click", function () {
        send({ type: "contact_answer", article: hit.id, lang: hit.lang });  // a beacon: survives the navigation
      });
      var snippet = document.createElement("p");
      if (hit.html) snippet.innerHTML = hit.html;  // escaped by the service, matches in <mark>
      else snippet.textContent = hit.text || "";
      item.append(link, snippet);
      list.append(item);
    });
  }

  function run() {
    var text = input.value.trim();
    if (words(text).length === 0) { list.innerHTML = ""; status.textContent = ""; return; }
    var ticket = ++latest;
    var search = api ? fromService(text).catch(function () { return fromStatic(text); }) : fromStatic(text);
    search
      .then(function (hits) { if (ticket === latest) render(hits); })
      .catch(function () { if (ticket === latest) render([]); });
  }

  // Keyboard: arrow keys move through the suggestions, Escape goes back to the box
  root.addEventListener("keydown", function (event) {
    var links = list.querySelectorAll("a");
    if (!links.length) return;
    if (event.key === "ArrowDown") { event.preventDefault(); selected = Math.min(selected + 1, links.length - 1); links[selected].focus(); }
    else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (selected <= 0) { selected = -1; input.focus(); } else { selected -= 1; links[selected].focus(); }
    } else if (event.key === "Escape") { selected = -1; input.focus(); }
  });
  if (input.value) run();
})();
