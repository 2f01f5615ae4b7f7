// The project form's partner picker: an organisation added through the "new organisation" fragment (an HTMX
// answer with the `organisation-created` event, projects/views.py OrganisationCreate) becomes a choice of every
// partner row and is chosen in the first row that has none; focus moves to that row's role.
(function () {
  "use strict";

  document.body.addEventListener("organisation-created", function (event) {
    var detail = event.detail || {};
    if (detail.id === undefined) {
      return;
    }
    var value = String(detail.id);
    var chosen = null;
    document.querySelectorAll('select[name^="partners-"][name$="-organisation"]').forEach(function (select) {
      if (!select.querySelector('option[value="' + value + '"]')) {
        select.add(new Option(detail.label, value));
      }
      if (chosen === null && !select.value) {
        chosen = select;
      }
    });
    if (chosen !== null) {
      chosen.value = value;
      var row = chosen.closest("tr");
      var role = row ? row.querySelector('select[name$="-role"]') : null;
      (role || chosen).focus();
    }
  });
})();
