// playbook serve: reload the page when a new build changed it; show build errors over the page.
// The dev server adds this script to the HTML pages it serves. It is never part of a built site.
(function () {
  "use strict";
  var script = document.currentScript;
  var generation = Number(script.dataset.generation);
  var server = script.dataset.server;
  var page = script.dataset.page; // this page's file in the site; absent: reload on every build
  var overlay = null;

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function line(error) {
    var item = document.createElement("li");
    var where = document.createElement("code");
    where.textContent =
      error.path + (error.line ? ":" + error.line : "") + (error.field ? "  " + error.field : "");
    item.appendChild(where);
    item.appendChild(document.createTextNode(" " + error.message));
    return item;
  }

  function show(errors) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "playbook-errors";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(25,25,25,.94);color:#fff;font:15px/1.5 system-ui,sans-serif";
    var title = document.createElement("h2");
    title.textContent =
      (errors.length === 1 ? "1 error" : errors.length + " errors") +
      " in the playbook: this is the last good build";
    var list = document.createElement("ul");
    errors.forEach(function (error) {
      list.appendChild(line(error));
    });
    var note = document.createElement("p");
    note.textContent = "Fix the file and save it: this page updates by itself.";
    overlay.appendChild(title);
    overlay.appendChild(list);
    overlay.appendChild(note);
    document.body.appendChild(overlay);
  }

  // Whether a build since this page was loaded changed it, or a style sheet or script it uses.
  // A build the server no longer remembers, or one that wrote the whole site, counts as yes.
  function changed(state) {
    for (var g = generation + 1; g <= state.generation; g++) {
      var paths = state.changes && state.changes[String(g)];
      if (!paths || page === undefined) {
        return true;
      }
      for (var i = 0; i < paths.length; i++) {
        if (paths[i] === page || paths[i].indexOf("static/") === 0) {
          return true;
        }
      }
    }
    return false;
  }

  function update(state) {
    if (state.server !== server || (state.generation > generation && changed(state))) {
      location.reload();
      return;
    }
    generation = Math.max(generation, state.generation);
    script.dataset.generation = String(generation); // the build this page is up to date with
    if (state.errors.length) {
      show(state.errors);
    } else {
      hide();
    }
  }

  if (window.EventSource) {
    new EventSource("/__playbook/events").onmessage = function (event) {
      update(JSON.parse(event.data));
    };
  }
})();
