/* Filters for the pipeline overview: stage, owner and tag. Our own few lines, no framework.
   Without scripts the form stays hidden, the table shows every deal and the totals are the build's.
   The filters live in the page's address (?stage=…&owner=…&tag=…), so a filtered view can be
   bookmarked or shared and survives a reload; a value the page does not offer is ignored.
   While a filter is set, the rows of the totals (table.stage-totals) are made anew from the deal
   rows shown (tr.deal-row: data-stage, data-owner, data-tags, data-currency, data-value,
   data-weighted, data-open), each stage's heading cell taken from its tr[data-stage] and
   "All open deals" from the foot; amounts are added and written as playbook/overview.py and
   playbook/formatting.py do. With no filter set, the build's own rows are shown again. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("deals");
  var totals = document.querySelector("table.stage-totals");
  if (!form || !table || !totals) {
    return;
  }
  var NAMES = ["stage", "owner", "tag"];
  var total = Number(form.getAttribute("data-total"));
  var status = form.querySelector(".filter-status");
  var caption = totals.querySelector("caption");
  var built = { body: totals.tBodies[0], foot: totals.tFoot, caption: caption.textContent };
  var allOpen = built.foot.querySelector("th"); /* none when no deal is open: nor then in a recount */
  var stages = []; /* [slug, heading cell], in the order of the totals */
  built.body.querySelectorAll("tr[data-stage]").forEach(function (row) {
    var slug = row.getAttribute("data-stage");
    if (!stages.length || stages[stages.length - 1][0] !== slug) {
      stages.push([slug, row.querySelector("th")]);
    }
  });

  /* An amount as the build holds it: a whole number exactly, anything else a double. */
  function amount(text) {
    return /^-?\d+$/.test(text) ? BigInt(text) : Number(text.replace("inf", "Infinity"));
  }

  /* a + b as Python adds them: whole numbers exactly, a double once either is one. */
  function add(a, b) {
    return typeof a === "bigint" && typeof b === "bigint" ? a + b : Number(a) + Number(b);
  }

  /* formatting.money without a currency: 180,000 · 40,000.50 · 2.0 is 2. */
  function money(x) {
    if (typeof x === "number" && Number.isInteger(x)) {
      x = BigInt(x);
    }
    if (x === Infinity) { /* a weighted value past the largest double */
      return "inf";
    }
    var text = typeof x === "bigint" ? x.toString() : x.toFixed(2);
    /* A tie (an odd number of eighths) is rounded up by toFixed, to the even digit by Python. */
    if (typeof x === "number" && Math.abs(x * 8) % 2 === 1 && /[13579]$/.test(text)) {
      text = text.slice(0, -1) + (Number(text.slice(-1)) - 1);
    }
    var parts = text.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+$)/g, ",");
    return parts.join(".");
  }

  /* overview.currency_totals: per currency, in currency order. */
  function currencyTotals(rows) {
    var by = {};
    rows.forEach(function (row) {
      var currency = row.getAttribute("data-currency");
      var sums = by[currency] || (by[currency] = {
        currency: currency, deals: 0, value: 0n, weighted: 0n, open: false,
        byChance: 0, atFullValue: 0, withoutValue: 0
      });
      var value = row.getAttribute("data-value");
      var weighted = row.getAttribute("data-weighted");
      var open = row.hasAttribute("data-open");
      sums.deals += 1;
      sums.open = sums.open || open;
      if (value === null) {
        sums.withoutValue += 1;
        return;
      }
      sums.value = add(sums.value, amount(value));
      if (open && weighted !== null) {
        sums.byChance += 1;
        sums.weighted = add(sums.weighted, amount(weighted));
      } else if (open) {
        sums.atFullValue += 1;
        sums.weighted = add(sums.weighted, amount(value));
      }
    });
    return Object.keys(by).sort().map(function (currency) { return by[currency]; });
  }

  function basis(sums) {
    return [[sums.byChance, "by chance"], [sums.atFullValue, "at full value"],
      [sums.withoutValue, "without value"]]
      .filter(function (part) { return part[0]; })
      .map(function (part) { return part[0] + " " + part[1]; })
      .join(" · ");
  }

  function cell(tag, className, text) {
    var element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    element.textContent = text || "";
    return element;
  }

  /* A row of _totals.html: every deal of a currency group is open, or none (a closed stage). */
  function totalRow(heading, sums) {
    var row = document.createElement("tr");
    row.setAttribute("data-currency", sums.currency);
    var weighted = cell("td", "num weighted-value", sums.open ? money(sums.weighted) : "");
    if (!sums.open) {
      weighted.appendChild(cell("span", "muted", "closed"));
    }
    row.append(heading.cloneNode(true), cell("td", "num", String(sums.deals)),
      cell("td", "", sums.currency), cell("td", "num total-value", money(sums.value)), weighted,
      cell("td", "basis", sums.open ? basis(sums) : "closed deals are not weighted"));
    return row;
  }

  function recount(rows) {
    var body = document.createElement("tbody");
    var foot = document.createElement("tfoot");
    stages.forEach(function (stage) {
      var groups = currencyTotals(rows.filter(function (row) {
        return row.getAttribute("data-stage") === stage[0];
      }));
      groups.forEach(function (sums) {
        body.appendChild(totalRow(stage[1], sums)).setAttribute("data-stage", stage[0]);
      });
      if (!groups.length) { /* as the build shows a stage without deals: no link to its list */
        var row = body.appendChild(document.createElement("tr"));
        var heading = cell("th", "", stage[1].textContent);
        heading.setAttribute("scope", "row");
        row.setAttribute("data-stage", stage[0]);
        row.append(heading, cell("td", "num", "0"), cell("td"), cell("td"), cell("td"), cell("td"));
      }
    });
    currencyTotals(rows.filter(function (row) { return row.hasAttribute("data-open"); }))
      .forEach(function (sums) { foot.appendChild(totalRow(allOpen, sums)); });
    return { body: body, foot: foot, caption: built.caption + ", for the deals shown" };
  }

  function show(part) {
    totals.replaceChild(part.body, totals.tBodies[0]);
    totals.replaceChild(part.foot, totals.tFoot);
    caption.textContent = part.caption;
  }

  /* The chosen values in the address, in a fixed order; other parameters are kept. */
  function remember(chosen) {
    var params = new URLSearchParams(window.location.search);
    NAMES.forEach(function (name) {
      params.delete(name);
      if (chosen[name]) {
        params.append(name, chosen[name]);
      }
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      try {
        window.history.replaceState(window.history.state, "", url);
      } catch (error) { /* a browser that refuses it (some do on file://) still filters */ }
    }
  }

  function apply() {
    var chosen = {};
    NAMES.forEach(function (name) { chosen[name] = form.elements[name].value; });
    var shown = [];
    table.querySelectorAll("tbody.stage-rows").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll("tr.deal-row").forEach(function (row) {
        var tags = (row.getAttribute("data-tags") || "").split(" ");
        var match = (!chosen.stage || row.getAttribute("data-stage") === chosen.stage) &&
          (!chosen.owner || row.getAttribute("data-owner") === chosen.owner) &&
          (!chosen.tag || tags.indexOf(chosen.tag) !== -1);
        row.hidden = !match;
        if (match) {
          shown.push(row);
          visible += 1;
        }
      });
      group.hidden = visible === 0;
    });
    show(chosen.stage || chosen.owner || chosen.tag ? recount(shown) : built);
    status.textContent = shown.length === total
      ? "Showing all " + total + " deals."
      : "Showing " + shown.length + " of " + total + " deals.";
    remember(chosen);
  }

  /* The address says what to show; a value that is not among the options shows all. */
  var params = new URLSearchParams(window.location.search);
  NAMES.forEach(function (name) {
    var select = form.elements[name];
    var wanted = params.get(name) || "";
    var offered = Array.prototype.some.call(select.options, function (option) {
      return option.value === wanted;
    });
    select.value = offered ? wanted : "";
  });

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
