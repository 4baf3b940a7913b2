/* The help center's home page, search first.
 * - Its search box hands what the reader types to the header's search box, which kb's engine answers when the
 *   site is served with the service and the theme's built-in search otherwise (kb-public-search.js decides):
 *   one search, answered the same way from both boxes. Without script the form opens the search with ?q=.
 * - Popular articles: the service's most viewed articles in the page's language over the last 30 days
 *   (/api/v1/popular) replace the knowledge base's featured list, when the service is there and has some. */
(function () {
  "use strict";
  var form = document.querySelector("[data-kb-home-search]");
  var header = document.querySelector('[data-md-component="search-query"]');
  if (form && header) {
    var box = form.querySelector("input");
    var handOver = function () {
      header.value = box.value;
      box.value = "";
      header.focus();  // opens the theme's search panel (and kb-public-search.js decides the engine)
      header.dispatchEvent(new Event("input", { bubbles: true }));
      header.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    };
    box.addEventListener("input", function () { if (box.value.trim()) handOver(); });
    form.addEventListener("submit", function (event) { event.preventDefault(); handOver(); });
  }

  var section = document.querySelector("[data-kb-popular]");
  var service = document.querySelector('meta[name="kb:service"]');
  if (!section || !service || !service.content) return;
  var base = new URL(service.content.replace(/\/$/, "") + "/", location.href);
  var params = new URLSearchParams({ lang: section.getAttribute("data-lang"), limit: "6" });
  fetch(new URL("api/v1/popular?" + params.toString(), base))
    .then(function (answer) { return answer.ok ? answer.json() : null; })
    .then(function (body) {
      if (!body || !Array.isArray(body.articles) || body.articles.length === 0) return;  // featured stay
      var list = section.querySelector(".kb-popular__list");
      list.innerHTML = "";
      body.articles.forEach(function (article) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = new URL(section.getAttribute("data-root") + article.url, location.href).toString();
        link.textContent = article.title;
        item.append(link);
        list.append(item);
      });
      section.querySelector("h2").textContent = section.getAttribute("data-title-popular");
      section.setAttribute("data-kb-popular-source", "service");
      section.hidden = false;
    })
    .catch(function () {});  // no service at this address: the featured list stays
})();
