/* The "did this solve your request?" question of an auto-reply's suggested link. GET /r/<token> redirects to
 * the article with the token in the fragment (#kb-reply=...), which no server and no Referer ever sees. The
 * token leaves the address bar at once (not in the history, a bookmark or a shared link); the question shows,
 * and the answer goes to POST /api/v1/autoreply/outcome with the token. "Yes" lets the helpdesk close the
 * ticket. Strings come from the page (data attributes of [data-kb-outcome]), in the page's language. */
(function () {
  "use strict";
  var root = document.querySelector("[data-kb-outcome]");
  if (!root) return;
  var match = /(?:^#|&)kb-reply=([A-Za-z0-9_-]{20,100})(?:&|$)/.exec(location.hash);
  if (!match) return;
  var token = match[1];
  history.replaceState(history.state, "", location.pathname + location.search);
  var serviceMeta = document.querySelector('meta[name="kb:service"]');
  var service = serviceMeta ? serviceMeta.content.replace(/\/$/, "") : "";
  var api = new URL(service + "/api/v1/autoreply/outcome", location.href);
  var text = function (name) { return root.getAttribute("data-" + name) || ""; };

  var question = document.createElement("p");
  question.className = "kb-outcome__question";
  question.id = "kb-outcome-question";
  question.textContent = text("question");
  var buttons = document.createElement("div");
  buttons.className = "kb-outcome__buttons";
  buttons.setAttribute("role", "group");
  buttons.setAttribute("aria-labelledby", question.id);
  var status = document.createElement("p");
  status.className = "kb-outcome__status";
  status.setAttribute("role", "status");

  function button(label, solved, primary) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = primary ? "md-button md-button--primary" : "md-button";
    element.textContent = label;
    element.setAttribute("data-kb-outcome-answer", solved ? "yes" : "no");
    element.addEventListener("click", function () { answer(solved); });
    return element;
  }
  buttons.appendChild(button(text("yes"), true, true));
  buttons.appendChild(button(text("no"), false, false));
  root.appendChild(question);
  root.appendChild(buttons);
  root.appendChild(status);
  root.hidden = false;

  function answer(solved) {
    Array.prototype.forEach.call(buttons.querySelectorAll("button"), function (b) { b.disabled = true; });
    fetch(api, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ token: token, solved: solved }),
      credentials: "omit",
      keepalive: true
    }).then(function (response) {
      if (response.ok || response.status === 409) {
        buttons.hidden = true;
        status.textContent = text(solved ? "thanks-yes" : "thanks-no");
      } else {
        status.textContent = text(response.status === 410 ? "expired" : "error");
        if (response.status !== 410) {
          Array.prototype.forEach.call(buttons.querySelectorAll("button"), function (b) { b.disabled = false; });
        } else {
          buttons.hidden = true;
        }
      }
    }).catch(function () {
      status.textContent = text("error");
      Array.prototype.forEach.call(buttons.querySelectorAll("button"), function (b) { b.disabled = false; });
    });
  }
})();
