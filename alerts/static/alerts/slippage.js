(function () {
  var data = JSON.parse(document.getElementById("slippage-data").textContent);
  var canvas = document.getElementById("slippage-chart");
  if (!canvas || typeof Chart === "undefined") { return; }
  new Chart(canvas, {
    type: "bar",
    data: {labels: data.labels, datasets: [{label: data.title, data: data.counts, backgroundColor: "#0d6efd"}]},
    options: {indexAxis: "y", plugins: {legend: {display: false}}, scales: {x: {beginAtZero: true, ticks: {precision: 0}}}}
  });
})();
