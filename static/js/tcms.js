// Behaviour shared by every page, kept out of the HTML so the Content Security Policy can forbid inline code.
//  - <select data-autosubmit> submits its form when the choice changes (the language switcher, filter bars);
//  - <div data-width-percent="42"> gets width 42% (progress bars), set through the DOM, which the policy allows,
//    where a style="" attribute would be blocked. Applied on load and to content HTMX swaps in;
//  - <input data-select-on-focus> selects its whole text when focused (a key shown once, to copy).
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      if (typeof target.form.requestSubmit === "function") {
        target.form.requestSubmit();
      } else {
        target.form.submit();
      }
    }
  });

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-focus")) {
      target.select();
    }
  });

  function applyWidths(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var elements = Array.prototype.slice.call(scope.querySelectorAll("[data-width-percent]"));
    if (scope.hasAttribute && scope.hasAttribute("data-width-percent")) {
      elements.push(scope);
    }
    elements.forEach(function (element) {
      var value = parseFloat(element.getAttribute("data-width-percent"));
      if (!isNaN(value)) {
        element.style.width = Math.max(0, Math.min(100, value)) + "%";
      }
    });
  }

  if (window.htmx && typeof window.htmx.onLoad === "function") {
    window.htmx.onLoad(applyWidths);  // called for the page and for every swapped-in fragment
  } else {
    document.addEventListener("DOMContentLoaded", function () { applyWidths(document); });
  }
})();
