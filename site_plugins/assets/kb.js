/* kb: page views, "did this help?" votes, contact clicks, searches and macro copies, sent to the kb
 * service. The help center's go by navigator.sendBeacon (text/plain: no CORS preflight, no cookie); the
 * wiki's need the agent's sign-in: they go to /internal/api/v1/ (the sign-in cookie's path) by fetch with
 * the X-KB-Request marker, which a page on another origin cannot send. Readers are a random id per tab,
 * kept in sessionStorage. Nothing is sent when the site was built without a service URL. */
(function () {
  "use strict";
  var meta = function (name) {
    var element = document.querySelector('meta[name="kb:' + name + '"]');
    return element ? element.content : "";
  };
  var service = meta("service");
  var page = { article: meta("article"), lang: meta("lang"), version: meta("version") };
  var site = meta("audience") === "internal" ? "internal" : "public";

  function sessionId() {
    var id = window.kbSessionId || null; // made by kb-experiment.js on an experiment's page
    try { id = id || sessionStorage.getItem("kb-session"); } catch (e) { /* storage disabled */ }
    if (!id) {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { sessionStorage.setItem("kb-session", id); } catch (e) { /* id lives for this page only */ }
    }
    return id;
  }

  var api = service.replace(/\/$/, "") + (site === "internal" ? "/internal/api/v1/" : "/api/v1/");

  function send(event) {
    if (!service) return;
    event.session = sessionId();
    event.site = site;
    var body = JSON.stringify(event);
    var url = api + "events";
    if (site === "internal") {
      // keepalive: the request outlives the page, as a beacon does
      fetch(url, {
        method: "POST", body: body, keepalive: true, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-KB-Request": "1" }
      }).catch(function () { /* analytics must never break the page */ });
      return;
    }
    var queued = false;
    try { queued = navigator.sendBeacon(url, new Blob([body], { type: "text/plain" })); } catch (e) { queued = false; }
    if (!queued) {
      fetch(url, { method: "POST", body: body, headers: { "Content-Type": "text/plain" }, keepalive: true })
        .catch(function () { /* analytics must never break the page */ });
    }
  }
  // The experiment and variant the page `article` served this tab (kb-experiment.js), or null
  function experimentOf(article) {
    if (!article) return null;
    var pair = null;
    try { pair = sessionStorage.getItem("kb-experiment:" + article); } catch (e) { /* storage disabled */ }
    var here = window.kbExperiment;
    if (!pair && here && here.article === article) pair = here.experiment + " " + here.variant;
    return pair ? pair.split(" ") : null;
  }
  // The page's facts, then `fields`; facts a page does not have (a generated page has no article) are left out
  function withPage(fields) {
    var event = { article: page.article, lang: page.lang, version: page.version };
    for (var key in fields) event[key] = fields[key];
    var assigned = experimentOf(event.article);
    if (assigned) { event.experiment = assigned[0]; event.variant = assigned[1]; }
    for (var name in event) if (event[name] === "" || event[name] === undefined) delete event[name];
    return event;
  }
  window.kbSend = send;

  if (page.article) send(withPage({ type: "view" }));

  var form = document.querySelector("[data-kb-feedback]");
  if (form) {
    var reasons = form.querySelector(".kb-feedback__reasons");
    var thanks = form.querySelector(".kb-feedback__thanks");
    var done = function () {
      form.querySelector(".kb-feedback__vote").hidden = true;
      reasons.hidden = true;
      thanks.hidden = false;
    };
    form.querySelector('[data-kb-vote="yes"]').addEventListener("click", function () {
      send(withPage({ type: "vote", helpful: true }));
      done();
    });
    form.querySelector('[data-kb-vote="no"]').addEventListener("click", function () {
      reasons.hidden = false;
      var first = reasons.querySelector("input");
      if (first) first.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var vote = { type: "vote", helpful: false };
      var reason = form.querySelector('input[name="reason"]:checked');
      if (reason) vote.reason = reason.value;
      var comment = form.querySelector('textarea[name="comment"]').value.trim();
      if (comment) vote.comment = comment.slice(0, 1000);
      send(withPage(vote));
      done();
    });
  }

  document.addEventListener("click", function (event) {
    var contact = event.target.closest("[data-kb-contact]");
    // The contact step's button: the article the customer came from, if any (the beacon survives the navigation)
    if (contact) send(withPage({ type: "contact", article: contact.getAttribute("data-kb-from") || page.article }));
    var copy = event.target.closest("[data-kb-copy]");
    if (copy) {
      var source = copy.closest(".kb-macro").querySelector(".kb-macro__source").value;
      var copied = function () {
        copy.textContent = copy.getAttribute("data-copied");
        send(withPage({ type: "macro_used" }));
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source).then(copied, copied);
      } else {
        var area = document.createElement("textarea");
        area.value = source;
        document.body.appendChild(area);
        area.select();
        document.execCommand("copy");
        area.remove();
        copied();
      }
    }
  });

  // Searches in mkdocs-material's built-in search box: logged when the reader presses Enter, leaves the box,
  // or leaves the page (a click on a result), each query once, with the number of results the reader was
  // shown. The results appear a moment after the query changes (a pasted query and Enter come before them),
  // so the count is read once the result list has been still for a moment; leaving the page logs at once.
  var query = document.querySelector('[data-md-component="search-query"]');
  var output = document.querySelector('[data-md-component="search-result"]');
  if (query) {
    var last = "";
    var changed = 0;
    var pending = null;
    if (output && window.MutationObserver) {
      new MutationObserver(function () { changed = Date.now(); }).observe(output, { childList: true, subtree: true });
    }
    query.addEventListener("input", function () { changed = Date.now(); });
    var logSearch = function (now) {
      var text = query.value.trim();
      if (!text || text === last) return;
      // kb's engine says which query the list answers; the theme's own search is taken as done once still
      var list = document.querySelector(".md-search-result__list");
      var engine = list && list.hasAttribute("data-kb-engine");
      var settled = engine ? list.getAttribute("data-kb-answered") === text : Date.now() - changed >= 300;
      settled = settled || Date.now() - changed > 5000;
      if (!now && !settled) {
        clearTimeout(pending);
        pending = setTimeout(function () { logSearch(false); }, 150);
        return;
      }
      clearTimeout(pending);
      last = text;
      var results = document.querySelectorAll(".md-search-result__item").length;
      send({ type: "search", query: text.slice(0, 200), results: results, lang: page.lang || meta("lang") });
    };
    query.addEventListener("keydown", function (event) { if (event.key === "Enter") logSearch(false); });
    query.addEventListener("blur", function () { logSearch(false); });
    window.addEventListener("pagehide", function () { logSearch(true); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") logSearch(true);
    });
  }
})();
