/* Filters for the pipeline overview: stage, owner and tag. Our own few lines, no framework.
   Without scripts the form stays hidden and the table shows every deal. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("deals");
  if (!form || !table) {
    return;
  }
  var total = Number(form.getAttribute("data-total"));
  var status = form.querySelector(".filter-status");

  function apply() {
    var stage = form.elements.stage.value;
    var owner = form.elements.owner.value;
    var tag = form.elements.tag.value;
    var shown = 0;
    table.querySelectorAll("tbody.stage-rows").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll("tr.deal-row").forEach(function (row) {
        var tags = (row.getAttribute("data-tags") || "").split(" ");
        var match = (!stage || row.getAttribute("data-stage") === stage) &&
          (!owner || row.getAttribute("data-owner") === owner) &&
          (!tag || tags.indexOf(tag) !== -1);
        row.hidden = !match;
        if (match) {
          visible += 1;
        }
      });
      group.hidden = visible === 0;
      shown += visible;
    });
    status.textContent = shown === total
      ? "Showing all " + total + " deals."
      : "Showing " + shown + " of " + total + " deals.";
  }

  form.addEventListener("change", apply);
  form.addEventListener("reset", function () {
    window.setTimeout(apply, 0); /* after the browser has reset the fields */
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  form.hidden = false;
  apply();
})();
