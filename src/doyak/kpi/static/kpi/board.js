// Draws each KPI chart from the JSON in its <script type="application/json"> element (no inline script: CSP).
// The actual is a solid line with round markers, the trajectory a dashed line with triangles: the two read
// apart without colour. The same figures are in a table beside each chart for screen readers.
(function () {
  "use strict";
  function short(value, data) {
    if (value === null || value === undefined) { return "-"; }
    if (data.krw) {
      if (data.lang === "ko") {
        if (value >= 1e12) { return (value / 1e12).toFixed(1).replace(/\.0$/, "") + "조"; }
        if (value >= 1e8) { return Math.round(value / 1e8).toLocaleString("ko-KR") + "억"; }
        return Math.round(value).toLocaleString("ko-KR");
      }
      if (value >= 1e12) { return "₩" + (value / 1e12).toFixed(1) + "T"; }
      if (value >= 1e9) { return "₩" + (value / 1e9).toFixed(1) + "B"; }
      return "₩" + Math.round(value).toLocaleString("en");
    }
    return value.toLocaleString(data.lang === "ko" ? "ko-KR" : "en");
  }
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      // the page's own font (Pretendard), so that Korean labels render in the SVG
      textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
      grid: data.small ? { left: data.krw ? 64 : 40, right: 8, top: 8, bottom: 24 } : { left: 80, right: 16, top: 40, bottom: 32 },
      legend: data.small ? { show: false } : { top: 0, data: [data.actualName, data.targetName] },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return short(v, data); } },
      xAxis: { type: "category", data: data.years },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return short(v, data); } } },
      series: [
        { name: data.actualName, type: "line", data: data.actual, symbol: "circle", symbolSize: 8,
          lineStyle: { width: 3, type: "solid" }, itemStyle: { color: "#256ef4" }, connectNulls: false },
        { name: data.targetName, type: "line", data: data.target, symbol: "triangle", symbolSize: 9,
          lineStyle: { width: 2, type: "dashed" }, itemStyle: { color: "#6d7882" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  });
})();
