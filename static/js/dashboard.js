/* Dashboard charts, drawn from the tables under them; without this file the tables remain.
 *
 * A chart goes in each `[data-chart-for="<table id>"]` box. The table gives the data: one row per
 * label (the row header's `data-label`, else its text), one dataset per column header carrying
 * `data-series="bar"` or `"line"`, the numbers in the cells' `data-value`. A row with
 * `data-marker="<text>"` gets a dashed vertical line with that text (the deadline).
 */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }

  var MARKER_COLOUR = "#dc3545";  // Bootstrap's danger red, as the deadline badge in the table

  // Draws the marked row's line after the datasets, so that the bars do not hide it.
  var markerLine = {
    id: "markerLine",
    afterDatasetsDraw: function (chart, _args, options) {
      if (options.index < 0) { return; }
      var x = chart.scales.x.getPixelForValue(options.index);
      var area = chart.chartArea;
      var context = chart.ctx;
      context.save();
      context.strokeStyle = MARKER_COLOUR;
      context.fillStyle = MARKER_COLOUR;
      context.setLineDash([4, 4]);
      context.beginPath();
      context.moveTo(x, area.top);
      context.lineTo(x, area.bottom);
      context.stroke();
      context.textAlign = x > (area.left + area.right) / 2 ? "right" : "left";
      context.fillText(options.text, x + (context.textAlign === "right" ? -4 : 4), area.top + 12);
      context.restore();
    }
  };

  function rowLabel(row) {
    var header = row.cells[0];
    return header.getAttribute("data-label") || header.textContent.trim();
  }

  function readTable(table) {
    var columns = Array.prototype.slice.call(table.tHead.rows[0].cells);
    // Rows without numbers (such as "nothing yet") are not data.
    var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (row) {
      return row.querySelector("[data-value]") !== null;
    });
    var datasets = [];
    columns.forEach(function (column, index) {
      var kind = column.getAttribute("data-series");
      if (!kind) { return; }
      datasets.push({
        type: kind,
        label: column.textContent.trim(),
        data: rows.map(function (row) { return Number(row.cells[index].getAttribute("data-value")); }),
        order: kind === "line" ? 0 : 1  // a line in front of the bars
      });
    });
    var marked = rows.filter(function (row) { return row.hasAttribute("data-marker"); })[0];
    return {
      labels: rows.map(rowLabel),
      datasets: datasets,
      marker: marked ? {index: rows.indexOf(marked), text: marked.getAttribute("data-marker")}
                     : {index: -1, text: ""}
    };
  }

  function draw(box) {
    var table = document.getElementById(box.getAttribute("data-chart-for"));
    if (!table || !table.tHead || !table.tBodies.length) { return; }
    var data = readTable(table);
    if (!data.labels.length) { return; }
    var horizontal = box.getAttribute("data-chart-axis") === "y";
    var countAxis = {beginAtZero: true, ticks: {precision: 0}};
    var canvas = document.createElement("canvas");
    box.appendChild(canvas);
    box.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: {labels: data.labels, datasets: data.datasets},
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: horizontal ? {x: countAxis} : {y: countAxis},
        plugins: {
          legend: {display: data.datasets.length > 1},
          markerLine: data.marker
        }
      },
      plugins: [markerLine]
    });
  }

  document.querySelectorAll("[data-chart-for]").forEach(draw);
})();
