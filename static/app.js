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
          if (status) status.textContent = button.textContent.replace("Kopiera", "Kopierade") + ".";
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
    if (mark) { mark.scrollIntoView({block: "center"}); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    copyButtons(document);
    scrollToFirstMark();
  });
})();
