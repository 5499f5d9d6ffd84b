/* Pactwatch: small enhancements; every page works without them. No inline script or style is
   created (the Content-Security-Policy forbids both): only attributes, classes and text change. */
(function () {
  "use strict";

  // Filters whose form says data-drop-empty send only the fields that are filled in, so the
  // URL pushed to the history reads /deals/?kind=chips rather than a list of empty fields.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-drop-empty]");
    if (!form || event.detail.verb !== "get") return;
    var data = event.detail.formData;
    var empty = [];
    data.forEach(function (value, name) { if (value === "") empty.push(name); });
    empty.forEach(function (name) {
      var kept = data.getAll(name).filter(function (value) { return value !== ""; });
      data.delete(name);
      kept.forEach(function (value) { data.append(name, value); });
    });
  });

  // Copy buttons: <button data-copy-target="id" hidden> copies the text of that element.
  function setUpCopy(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("button[data-copy-target]").forEach(function (button) {
      if (button.dataset.copyReady) return;
      button.dataset.copyReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copyTarget);
        var status = document.getElementById(button.dataset.copyStatus || "");
        if (!source) return;
        var text = source.value !== undefined ? source.value : source.textContent;
        navigator.clipboard.writeText(text.trim()).then(function () {
          if (status) status.textContent = button.dataset.copyDone || "Copied.";
        }, function () {
          if (status) status.textContent = "Copying failed: select the text and copy it.";
        });
      });
    });
  }

  // A search box over a list of checkboxes: <input data-filter-list="id"> hides the
  // labels that do not contain what is typed (with the hidden attribute, not a style).
  function setUpListFilters(root) {
    root.querySelectorAll("input[data-filter-list]").forEach(function (input) {
      if (input.dataset.filterReady) return;
      input.dataset.filterReady = "1";
      var wrapper = input.closest("[hidden]");
      if (wrapper) wrapper.hidden = false;
      input.addEventListener("input", function () {
        var list = document.getElementById(input.dataset.filterList);
        if (!list) return;
        var wanted = input.value.trim().toLowerCase();
        list.querySelectorAll("label").forEach(function (label) {
          var box = label.querySelector("input");
          var keep = !wanted || label.textContent.toLowerCase().indexOf(wanted) !== -1 || (box && box.checked);
          var item = label.closest("div") || label;
          item.hidden = !keep;
        });
      });
    });
  }

  function setUp(root) { setUpCopy(root); setUpListFilters(root); }
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
