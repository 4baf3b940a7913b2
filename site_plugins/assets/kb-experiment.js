/* kb: the variant of an experiment's page (kbtools/experiments.py declares it). Loaded synchronously in the
 * head, after kb.css and before the body is parsed: it picks the reader's variant from the experiment id and
 * the per-tab session id (sessionStorage, no cookie), marks <html> so kb.css hides every variant, and shows
 * the chosen one as the parser adds it (a MutationObserver runs before the browser paints what was parsed), so
 * the other variants are never visible. Readers without script see the control. The assignment is the same
 * function as kbtools.experiments.assign (tests/test_experiments.py checks both on shared cases). */
(function () {
  "use strict";

  function fnv1a(bytes) {
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash ^= bytes[i];
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }
  function mix(hash) { // MurmurHash3's finaliser
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b) >>> 0;
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
    hash ^= hash >>> 16;
    return hash >>> 0;
  }
  function bucket(experiment, unit) {
    return mix(fnv1a(new TextEncoder().encode(experiment + ":" + unit))) / 4294967296;
  }
  function assign(experiment, unit, variants, weights) {
    var shares = weights || variants.map(function () { return 1; });
    var total = 0;
    for (var i = 0; i < shares.length; i++) total += shares[i];
    var point = bucket(experiment, unit) * total;
    for (var j = 0; j < variants.length; j++) {
      if (point < shares[j]) return variants[j];
      point -= shares[j];
    }
    return variants[variants.length - 1];
  }
  window.kbAssign = assign;

  // The tab's reader id, made as kb.js makes it (kb.js then finds it in sessionStorage, or here)
  function sessionId() {
    var id = null;
    try { id = sessionStorage.getItem("kb-session"); } catch (e) { /* storage disabled */ }
    if (!id) {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { sessionStorage.setItem("kb-session", id); } catch (e) { /* id lives for this page only */ }
    }
    window.kbSessionId = id;
    return id;
  }

  var element = document.querySelector('meta[name="kb:experiment"]');
  if (!element) return;
  var experiment;
  try { experiment = JSON.parse(element.content); } catch (e) { return; }
  var today = new Date().toISOString().slice(0, 10);
  if ((experiment.start && today < experiment.start) || (experiment.stop && today > experiment.stop)) return;
  var variant = assign(experiment.id, sessionId(), experiment.variants, experiment.weights);
  window.kbExperiment = { experiment: experiment.id, variant: variant, article: experiment.page };
  // kb.js adds the pair to this page's events, and to contact events naming it from the contact step
  try { sessionStorage.setItem("kb-experiment:" + experiment.page, experiment.id + " " + variant); } catch (e) { /* kbExperiment */ }
  document.documentElement.classList.add("kb-experiment");

  var shown = false;
  function show(node) {
    if (node.nodeType === 1 && node.classList.contains("kb-variant") &&
        node.getAttribute("data-kb-experiment") === experiment.id &&
        node.getAttribute("data-kb-variant") === variant) {
      node.classList.add("kb-variant--shown");
      shown = true;
    }
  }
  var observer = new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      var added = records[i].addedNodes;
      for (var j = 0; j < added.length; j++) show(added[j]);
    }
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () {
    observer.disconnect();
    Array.prototype.forEach.call(document.querySelectorAll(".kb-variant"), show);
    if (!shown) { // a page built without the assigned variant: its control, as without script
      var control = document.querySelector(".kb-variant[data-kb-control]");
      if (control) control.classList.add("kb-variant--shown");
    }
    // The others leave the page: their headings' ids would repeat the shown one's (the table of contents, links
    // to #anchors and find-in-page then reach the variant the reader sees)
    Array.prototype.forEach.call(document.querySelectorAll(".kb-variant:not(.kb-variant--shown)"), function (other) {
      other.remove();
    });
  });
})();
