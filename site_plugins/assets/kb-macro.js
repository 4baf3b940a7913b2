/* The wiki's macro page shows its own outcomes: solved tickets the macro was applied to in the last 90 days,
 * satisfied customers with the Wilson 95% lower bound, reopens, median handle time, and the same per version of
 * the macro (the commit it was built from), from the service's report (/internal/api/v1/reports/macro-outcomes,
 * with the agent's sign-in cookie and the X-KB-Request marker). The section stays hidden without the service.
 * Everything is written as text (textContent): nothing from the answer is read as HTML. */
(function () {
  "use strict";
  var section = document.querySelector("[data-kb-macro-outcomes]");
  var service = document.querySelector('meta[name="kb:service"]');
  if (!section || !service || !service.content) return;
  var lang = section.getAttribute("data-lang");
  var label = function (name) { return section.getAttribute("data-" + name) || ""; };
  var percents = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  var percent = function (value) { return value === null || value === undefined ? "–" : percents.format(value); };
  var day = function (date) { return date.toISOString().slice(0, 10); };
  var today = new Date();
  var first = new Date(today.getTime() - 89 * 86400000);
  var params = new URLSearchParams({ macro: section.getAttribute("data-macro"), lang: lang, from: day(first), to: day(today) });
  var base = new URL(service.content.replace(/\/$/, "") + "/", location.href);

  function figure(list, name, value, note) {
    var term = document.createElement("dt");
    term.textContent = name;
    var data = document.createElement("dd");
    data.textContent = value;
    if (note) {
      var small = document.createElement("small");
      small.textContent = " (" + note + ")";
      data.append(small);
    }
    list.append(term, data);
  }

  fetch(new URL("internal/api/v1/reports/macro-outcomes?" + params.toString(), base), {
    credentials: "same-origin", headers: { "X-KB-Request": "1" }
  })
    .then(function (answer) { return answer.ok ? answer.json() : null; })
    .then(function (body) {
      if (!body || !Array.isArray(body.macros)) return;  // not signed in, or no service: stays hidden
      var row = body.macros[0];
      section.hidden = false;
      if (!row) {
        section.querySelector(".kb-macro-outcomes__none").hidden = false;
        return;
      }
      var list = section.querySelector(".kb-macro-outcomes__figures");
      figure(list, label("uses"), String(row.uses));
      figure(list, label("satisfaction"), percent(row.satisfaction_rate) + " (" + row.satisfied + "/" + row.rated + ")",
        row.satisfaction_lower_bound === null ? "" : label("bound").replace("{bound}", percent(row.satisfaction_lower_bound)));
      figure(list, label("reopened"), percent(row.reopen_rate));
      figure(list, label("handle"), row.median_handle_seconds === null ? "–"
        : label("minutes").replace("{minutes}", Math.round(row.median_handle_seconds / 60).toLocaleString(lang)));
      var table = section.querySelector(".kb-macro-outcomes__versions");
      var rows = table.querySelector("tbody");
      row.versions.forEach(function (version) {
        var line = document.createElement("tr");
        line.setAttribute("data-version", version.version || "");
        [version.version || "–", String(version.uses), percent(version.satisfaction_rate), percent(version.reopen_rate)]
          .forEach(function (value) {
            var cell = document.createElement("td");
            cell.textContent = value;
            line.append(cell);
          });
        rows.append(line);
      });
      table.hidden = row.versions.length === 0;
      section.setAttribute("data-kb-loaded", "");
    })
    .catch(function () {});  // the page works without its figures
})();
