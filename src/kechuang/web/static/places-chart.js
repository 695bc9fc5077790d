/* The /places chart: the plan's carriers by zone at their approximate coordinates, axes labelled in the
   page language. Data and labels come from the JSON block #places-data (no inline script). */
(function () {
  'use strict';
  var box = document.getElementById('places-chart');
  var source = document.getElementById('places-data');
  if (!box || !source || !window.echarts) return;
  var d = JSON.parse(source.textContent);
  var series = d.zones.map(function (z) {
    return {name: d.zone_labels[z], type: 'scatter', symbolSize: 12, symbol: d.marks[z].symbol,
            itemStyle: {color: d.marks[z].color},
            label: {show: true, formatter: function (p) { return p.data.name; }, position: 'right', fontSize: 10},
            data: d.points.filter(function (p) { return p.zone === z; })};
  });
  function deg(v) { return v.toFixed(2) + '°'; }
  var chart = echarts.init(box, null, {renderer: 'svg'});
  chart.setOption({legend: {top: 0}, tooltip: {formatter: function (p) { return p.data.name; }},
    grid: {top: box.clientWidth < 560 ? 72 : 48, left: 40, right: 40, bottom: 36, containLabel: true},
    xAxis: {type: 'value', scale: true, name: d.lon, nameLocation: 'middle', nameGap: 28, axisLabel: {formatter: deg}},
    yAxis: {type: 'value', scale: true, name: d.lat, nameLocation: 'middle', nameGap: 50, axisLabel: {formatter: deg}},
    series: series});
  window.addEventListener('resize', function () { chart.resize(); });
  box.setAttribute('data-ready', '1');
})();
