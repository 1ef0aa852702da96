// playbook serve: reload the page when a new build lands; show build errors over the page.
// The dev server adds this script to the HTML pages it serves. It is never part of a built site.
(function () {
  "use strict";
  var script = document.currentScript;
  var generation = Number(script.dataset.generation);
  var server = script.dataset.server;
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

  function update(state) {
    if (state.server !== server || state.generation > generation) {
      location.reload();
    } else if (state.errors.length) {
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
