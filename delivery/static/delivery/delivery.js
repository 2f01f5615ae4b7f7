/* Delivery charts: data comes from json_script blocks; redrawn after each HTMX swap of the results. */
(function () {
  "use strict";
  var charts = [];

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function groupChart(canvas, series, text) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: [
          {label: text.allocation, data: series.allocation, backgroundColor: "rgba(13,110,253,0.35)"},
          {label: text.expenditure, data: series.expenditure, backgroundColor: "rgba(25,135,84,0.8)"}
        ]
      },
      options: {
        plugins: {tooltip: {callbacks: {afterLabel: function (item) {
          var rate = series.rate[item.dataIndex];  // the rate as the page writes it (core/formats.py)
          return rate === null ? "" : rate;
        }}}},
        scales: {x: {ticks: {callback: function (value) {
          var label = this.getLabelForValue(value);
          return label.length > 18 ? label.slice(0, 17) + "…" : label;
        }}}}
      }
    });
  }

  function curveChart(canvas, curve, text) {
    return new Chart(canvas, {
      type: "line",
      data: {
        labels: curve.labels,
        datasets: [
          {label: text.cumulative, data: curve.cumulative, borderColor: "rgb(25,135,84)", spanGaps: false},
          {label: text.profile, data: curve.profile, borderColor: "rgb(108,117,125)", borderDash: [6, 4], pointRadius: 0}
        ]
      }
    });
  }

  function draw() {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    if (typeof Chart === "undefined") { return; }
    Chart.defaults.locale = document.documentElement.lang || "en";  // axis numbers as the page's language writes them
    var data = readJson("delivery-chart-data");
    if (data) {
      document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
        var name = canvas.getAttribute("data-chart");
        if (name === "curve") {
          charts.push(curveChart(canvas, data.curve, data.text));
        } else if (data.groups[name]) {
          charts.push(groupChart(canvas, data.groups[name], data.text));
        }
      });
    }
    var projectCurve = readJson("delivery-curve-data");
    var canvas = document.querySelector("canvas[data-chart='project-curve']");
    if (projectCurve && canvas) {
      charts.push(curveChart(canvas, projectCurve, projectCurve.text));
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSwap", draw);
})();
