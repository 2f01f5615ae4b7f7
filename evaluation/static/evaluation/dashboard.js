// Evaluation dashboard chart; data comes from the json_script block (no inline code, for the CSP).
(function () {
  "use strict";
  var source = document.getElementById("evaluation-chart-data");
  var canvas = document.getElementById("types-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {labels: data.types.labels, datasets: [{label: data.types.label, data: data.types.counts}]},
    options: {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}
  });
})();
