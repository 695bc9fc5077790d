/* The chart of an indicator page: approved values, the plan text's figures (points), the published figures as
   one line per index edition (never joined across a re-basing), baseline, target and the straight trajectory from
   the baseline to the target. Data and labels come from the JSON block #indicator-data (no inline script).
   Years are printed as plain years (2020, not 2,020); drawn as SVG so the labels are text. */
(function () {
  'use strict';
  var box = document.getElementById('indicator-chart');
  var source = document.getElementById('indicator-data');
  if (!box || !source || !window.echarts) return;
  var d = JSON.parse(source.textContent);
  var l = d.labels;
  if (!d.values.length && !d.plan_text.length && !d.published.length && !d.baseline && !d.target) {  /* "no data yet", said in words */
    box.textContent = l.no_data; box.className += ' empty'; box.setAttribute('data-ready', '1'); return;
  }
  function year(v) { return String(Math.round(v)); }
  var series = [];
  if (d.values.length) {
    series.push({name: l.history, type: 'line', data: d.values, itemStyle: {color: '#0072B2'}, symbolSize: 8});
  }
  if (d.plan_text.length) {
    series.push({name: l.plan_text, type: 'scatter', data: d.plan_text, symbol: 'rect', symbolSize: 10,
                 itemStyle: {color: '#009E73'}});
  }
  d.published.forEach(function (ed, k) {
    series.push({name: l.published + ' ' + l.edition + ' ' + ed.edition, type: 'line', data: ed.values,
                 symbol: k % 2 ? 'triangle' : 'diamond', symbolSize: 10, lineStyle: {width: 2},
                 itemStyle: {color: ['#E69F00', '#CC79A7', '#56B4E9'][k % 3]}});
  });
  if (d.baseline) {
    series.push({name: l.baseline, type: 'scatter', data: [d.baseline], symbol: 'diamond', symbolSize: 12,
                 itemStyle: {color: '#000000'}});
  }
  if (d.target) {
    series.push({name: l.target, type: 'scatter', data: [d.target], symbol: 'triangle', symbolSize: 12,
                 itemStyle: {color: '#D55E00'},
                 markLine: {symbol: 'none', lineStyle: {color: '#D55E00', type: 'dotted'},
                            label: {position: 'insideStartTop', color: '#8a3b00',
                                    formatter: l.target + ' ' + d.target_text},
                            data: [{yAxis: d.target[1]}]}});
  }
  if (d.trajectory) {
    series.push({name: l.trajectory, type: 'line', data: d.trajectory, symbol: 'none',
                 lineStyle: {type: 'dashed', color: '#999999'}, itemStyle: {color: '#999999'}});
  }
  var years = d.values.concat(d.plan_text).map(function (v) { return v[0]; });
  d.published.forEach(function (ed) { ed.values.forEach(function (v) { years.push(v[0]); }); });
  if (d.baseline) years.push(d.baseline[0]);
  if (d.target) years.push(d.target[0]);
  var first = Math.min.apply(null, years), last = Math.max.apply(null, years);
  if (first === last) { first -= 1; last += 1; }  /* one year alone: show it between its neighbours */
  var chart = echarts.init(box, null, {renderer: 'svg'});
  chart.setOption({
    tooltip: {trigger: 'item', formatter: function (p) {
      return p.seriesName + '<br>' + year(p.value[0]) + ': ' + p.value[1]; }},
    legend: {top: 0},  /* wraps onto a second line on a phone: the grid starts below it */
    grid: {top: box.clientWidth < 560 ? 84 : 52, left: 12, right: 24, bottom: 8, containLabel: true},
    xAxis: {type: 'value', min: first, max: last, minInterval: 1, axisLabel: {formatter: year}},
    yAxis: {type: 'value', scale: true, name: d.unit},
    series: series});
  window.addEventListener('resize', function () { chart.resize(); });
  box.setAttribute('data-ready', '1');
})();
