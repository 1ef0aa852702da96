/* Search as you type, with no server. The index is a set of script files written by the build
   (search/shards.js, search/terms-X-N.js, search/docs-N.js; see playbook/search.py), loaded by
   script tags on first use, so it works from file:// as well as from a web server, and a query
   loads only the shards of its words (in every chunk N) and the chunks of the results it shows.
   Words are normalised as playbook/search.py does. Without scripts the form stays hidden. */
(function () {
  "use strict";
  var form = document.querySelector("[data-search]");
  if (!form) { return; }
  var input = form.querySelector("input[type=search]");
  var list = form.querySelector("[data-search-results]");
  var status = form.querySelector("[data-search-status]");
  var root = form.getAttribute("data-root");
  var WEIGHT = { title: 6, customer: 5, buyer: 4, competitor: 4, owner: 3, tag: 3, method: 2, text: 1 };
  var FIELD_WORDS = { title: "title", customer: "customer", owner: "owner", buyer: "buyer",
    competitor: "competitor", tag: "tag", text: "objective or stage", method: "text" };
  /* A deal found only through a buyer or a competitor opens at that section of its page. */
  var SECTION = { buyer: "#buyers", competitor: "#competition" };
  var LIMIT = 20;
  var pending = {};
  var timer = null;
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
    script.src = root + "search/" + name + ".js";
    script.onload = function () {
      var waiting = pending[name];
      pending[name] = true;
      waiting.forEach(function (f) { f(); });
    };
    script.onerror = function () {
      delete pending[name];
      status.textContent = "The search index could not be loaded.";
    };
    document.head.appendChild(script);
  }
  function loadAll(names, done) {
    var left = names.length;
    if (!left) { done(); return; }
    names.forEach(function (name) { load(name, function () { left -= 1; if (!left) { done(); } }); });
  }
  function unique(items) {
    return items.filter(function (item, i) { return items.indexOf(item) === i; });
  }

  function search(query) {
    var terms = unique(words(query));
    if (!terms.length) { show([], ""); return; }
    loadAll(["shards"], function () {
      var manifest = window.PLAYBOOK_SEARCH_SHARDS;
      var shards = unique(terms.map(shardOf)).filter(function (s) { return manifest.shards.indexOf(s) >= 0; });
      var files = [];
      shards.forEach(function (s) {
        for (var n = 0; n < manifest.chunks; n += 1) { files.push("terms-" + s + "-" + n); }
      });
      loadAll(files, function () {
        if (input.value !== query) { return; }
        var results = rank(terms, manifest);
        var chunks = unique(results.slice(0, LIMIT).map(function (r) { return String(Math.floor(r.doc / manifest.chunk)); }));
        loadAll(chunks.map(function (c) { return "docs-" + c; }), function () {
          if (input.value !== query) { return; }
          show(results, query, manifest.chunk);
        });
      });
    });
  }

  /* Every term must match the start of a word of the document (in any field); a document scores
     the weights of the fields its words were found in, twice for a whole word. A posting names
     a document by its place in its chunk: chunk N's first document is N * manifest.chunk. */
  function rank(terms, manifest) {
    var tables = window.PLAYBOOK_SEARCH_TERMS || {};
    var scores = null;
    terms.forEach(function (term) {
      var found = {};
      for (var n = 0; n < manifest.chunks; n += 1) {
        var shard = tables[shardOf(term) + "-" + n] || {};
        var first = n * manifest.chunk;
        Object.keys(shard).forEach(function (word) {
          if (word.lastIndexOf(term, 0) !== 0) { return; }
          var posting = 0;
          shard[word].forEach(function (delta) {
            posting += delta;
            var doc = first + Math.floor(posting / 8);
            var field = manifest.fields[posting % 8];
            var hit = found[doc] || (found[doc] = { score: 0, fields: {} });
            hit.score += WEIGHT[field] * (word === term ? 2 : 1);
            hit.fields[field] = true;
          });
        });
      }
      if (scores === null) { scores = found; return; }
      Object.keys(scores).forEach(function (doc) {
        if (!found[doc]) { delete scores[doc]; return; }
        scores[doc].score += found[doc].score;
        Object.keys(found[doc].fields).forEach(function (f) { scores[doc].fields[f] = true; });
      });
    });
    return Object.keys(scores || {}).map(function (id) {
      return { doc: Number(id), score: scores[id].score, fields: Object.keys(scores[id].fields) };
    }).sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
  }

  function sectionOf(fields) {
    var sections = unique(fields.map(function (f) { return SECTION[f]; }));
    return sections.length === 1 && sections[0] ? sections[0] : "";
  }

  function show(results, query, chunk) {
    list.textContent = "";
    results.slice(0, LIMIT).forEach(function (result) {
      var doc = window.PLAYBOOK_SEARCH_DOCS[String(Math.floor(result.doc / chunk))][result.doc % chunk];
      var fields = result.fields.sort(function (a, b) { return WEIGHT[b] - WEIGHT[a] || (a < b ? -1 : 1); });
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + doc[0] + "index.html" + sectionOf(fields);
      var title = document.createElement("span");
      title.className = "result-title";
      title.textContent = doc[1];
      var detail = document.createElement("span");
      detail.className = "result-detail";
      detail.textContent = doc[2] + " · matches " + fields.map(function (f) { return FIELD_WORDS[f]; }).join(", ");
      link.appendChild(title);
      link.appendChild(detail);
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
    if (!query) { status.textContent = ""; return; }
    var quoted = " for \u201c" + query.trim() + "\u201d.";
    status.textContent = results.length === 0 ? "No results" + quoted
      : results.length > LIMIT ? "The first " + LIMIT + " of " + results.length + " results" + quoted
      : results.length + (results.length === 1 ? " result" : " results") + quoted;
  }

  function clear() {
    clearTimeout(timer);
    input.value = "";
    show([], "");
    input.focus();
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value); }, 80);
  });
  input.addEventListener("focus", function () { load("shards", function () {}); });
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
      event.preventDefault();
      clear();
    }
  });
}());
