// Progressive enhancement only: every page works without this file.
(function () {
  function copyButtons(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("button.copy").forEach(function (button) {
      button.hidden = false;
      if (button.dataset.bound) return;
      button.dataset.bound = "1";
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        var status = document.querySelector(".copied");
        navigator.clipboard.writeText(source.value).then(function () {
          if (status) status.textContent = (button.dataset.done || "Kopierat.");
        }, function () {
          source.select();
          if (status) status.textContent = "Markerat – tryck Ctrl+C för att kopiera.";
        });
      });
    });
  }
  function scrollToFirstMark() {
    var article = document.querySelector("[data-first-mark]");
    if (!article || location.hash) return;
    var mark = document.getElementById(article.dataset.firstMark);
    if (!mark) return;
    // Keep the heading (§ and title) on screen when the first mark is already visible.
    var box = mark.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) mark.scrollIntoView({block: "center"});
  }
  function isResults(event) {
    return event.detail && event.detail.target && event.detail.target.id === "resultat";
  }
  // refs #17: on a phone the facets wait behind "Filtrera" above the hits
  function foldFacets(root) {
    if (!window.matchMedia("(max-width: 52em)").matches) return;
    root.querySelectorAll("details.filter-toggle[open]").forEach(function (d) {
      if (!d.querySelector(".selected")) d.open = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    copyButtons(document);
    scrollToFirstMark();
    foldFacets(document);
  });
  // refs #17: typing in the search box makes one history entry, not one per pause: the first
  // answer while typing pushes, the following ones replace it; anything else pushes as before.
  var typedEntry = false;
  document.addEventListener("htmx:beforeHistoryUpdate", function (event) {
    var config = event.detail.requestConfig;
    var fromBox = !!(config && config.headers && config.headers["HX-Trigger"] === "q");
    if (fromBox && typedEntry) event.detail.history.type = "replace";
    typedEntry = fromBox;
  });
  window.addEventListener("popstate", function () { typedEntry = false; });
  // A query that cannot be parsed answers 400 with a Swedish explanation: show it while typing.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (isResults(event) && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!isResults(event)) return;
    foldFacets(event.detail.target);
    var heading = event.detail.target.querySelector("h1");
    // The heading is swapped in with the results, so it cannot announce itself: a live
    // region that stays on the page says the new count (or the error) for screen readers.
    var status = document.getElementById("sokstatus");
    if (status && heading) status.textContent = heading.textContent.replace(/\s+/g, " ").trim();
    // A facet or page link replaced itself; put focus on the new results, not <body>.
    var active = document.activeElement;
    if (heading && (!active || active === document.body)) {
      if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
  // htmx restores a snapshot of the page's HTML, where the box holds its server-rendered
  // value; the URL is the state, so the box shows the URL's q.
  document.addEventListener("htmx:historyRestore", function () {
    var box = document.getElementById("q");
    if (box) box.value = new URLSearchParams(location.search).get("q") || "";
  });
})();
