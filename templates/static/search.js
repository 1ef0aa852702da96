/* Search as you type, with no server: the index is a set of script files written by the build
   (search/docs.js, search/shards.js, search/terms-X.js), loaded on first use, so it works from
   file:// as well as from a web server. Words are normalised as playbook/search.py does. */
(function () {
  "use strict";
  var form = document.querySelector("[data-search]");
  if (!form) { return; }
  var input = form.querySelector("input[type=search]");
  var list = form.querySelector("[data-search-results]");
  var status = form.querySelector("[data-search-status]");
  var base = form.getAttribute("data-root") + "search/";
  var WEIGHT = { title: 6, customer: 5, buyer: 4, competitor: 4, owner: 3, tag: 3, method: 2, text: 1 };
  var LIMIT = 20;
  var pending = {};
  form.hidden = false;

  function words(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
  }
  function shardOf(word) { return /^[a-z0-9]/.test(word) ? word[0] : "other"; }

  function load(name, done) {
    if (pending[name] === true) { done(); return; }
    if (pending[name]) { pending[name].push(done); return; }
    pending[name] = [done];
    var script = document.createElement("script");
    script.src = base + name + ".js";
    script.onload = function () {
      var waiting = pending[name];
      pending[name] = true;
      waiting.forEach(function (f) { f(); });
    };
    script.onerror = function () { status.textContent = "The search index could not be loaded."; };
    document.head.appendChild(script);
  }
  function loadAll(names, done) {
    var left = names.length;
    if (!left) { done(); return; }
    names.forEach(function (name) { load(name, function () { left -= 1; if (!left) { done(); } }); });
  }

  function search(query) {
    var terms = words(query);
    if (!terms.length) { show([], ""); return; }
    loadAll(["docs", "shards"], function () {
      var known = window.PLAYBOOK_SEARCH_SHARDS.shards;
      var needed = [];
      terms.forEach(function (t) {
        var s = shardOf(t);
        if (known.indexOf(s) >= 0 && needed.indexOf("terms-" + s) < 0) { needed.push("terms-" + s); }
      });
      loadAll(needed, function () {
        if (input.value !== query) { return; }
        show(rank(terms), query);
      });
    });
  }

  function rank(terms) {
    var fields = window.PLAYBOOK_SEARCH_SHARDS.fields;
    var shards = window.PLAYBOOK_SEARCH_TERMS || {};
    var scores = null;
    terms.forEach(function (term) {
      var found = {};
      var shard = shards[shardOf(term)] || {};
      Object.keys(shard).forEach(function (word) {
        if (word.lastIndexOf(term, 0) !== 0) { return; }
        shard[word].forEach(function (posting) {
          var doc = Math.floor(posting / 8);
          var field = fields[posting % 8];
          var hit = found[doc] || (found[doc] = { score: 0, fields: {} });
          hit.score += WEIGHT[field] * (word === term ? 2 : 1);
          hit.fields[field] = true;
        });
      });
      if (scores === null) { scores = found; return; }
      Object.keys(scores).forEach(function (doc) {
        if (!found[doc]) { delete scores[doc]; return; }
        scores[doc].score += found[doc].score;
        Object.keys(found[doc].fields).forEach(function (f) { scores[doc].fields[f] = true; });
      });
    });
    var docs = window.PLAYBOOK_SEARCH_DOCS;
    return Object.keys(scores || {}).map(function (id) {
      return { doc: docs[id], score: scores[id].score, fields: Object.keys(scores[id].fields).sort() };
    }).sort(function (a, b) {
      return b.score - a.score || (a.doc[1] < b.doc[1] ? -1 : a.doc[1] > b.doc[1] ? 1 : 0);
    });
  }

  function show(results, query) {
    list.textContent = "";
    results.slice(0, LIMIT).forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = form.getAttribute("data-root") + result.doc[0];
      var title = document.createElement("span");
      title.className = "result-title";
      title.textContent = result.doc[1];
      var detail = document.createElement("span");
      detail.className = "result-detail";
      detail.textContent = result.doc[2] + " · matches " + result.fields.join(", ");
      link.appendChild(title);
      link.appendChild(detail);
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
    if (!query) { status.textContent = ""; return; }
    var shown = Math.min(results.length, LIMIT);
    status.textContent = results.length === 0 ? "No results for " + query
      : results.length > LIMIT ? "Showing " + shown + " of " + results.length + " results"
      : results.length + (results.length === 1 ? " result" : " results");
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value); }, 80);
  });
  input.addEventListener("focus", function () { loadAll(["docs", "shards"], function () {}); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a");
    if (first) { first.click(); }
  });
  form.addEventListener("keydown", function (event) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var at = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && links.length) {
      event.preventDefault();
      links[Math.min(at + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) { input.focus(); } else { links[at - 1].focus(); }
    } else if (event.key === "Escape") {
      input.value = "";
      show([], "");
      input.focus();
    }
  });
}());
