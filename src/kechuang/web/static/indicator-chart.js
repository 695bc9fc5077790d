// The chart of an indicator page: approved values, the plan text's figures, the published figures as one line per
// index edition (never joined across a re-basing), baseline, targets, expected trajectory.
// (a static file: the pages' Content-Security-Policy allows no inline script)
(function () {
  var L = JSON.parse(document.getElementById('indicator-labels').textContent);
  var d = JSON.parse(document.getElementById('indicator-data').textContent);
  var series = [];
  if (d.values.length) series.push({name: L.history, type: 'line', data: d.values, itemStyle: {color: '#0072B2'},
                                    symbolSize: 8});
  if (d.plan_text.length) series.push({name: L.plan_text, type: 'scatter', data: d.plan_text, symbol: 'rect',
                                       symbolSize: 10, itemStyle: {color: '#009E73'}});
  d.published.forEach(function (ed, k) {
    series.push({name: L.published + ' ' + L.edition + ' ' + ed.edition, type: 'line', data: ed.values,
                 symbol: k % 2 ? 'triangle' : 'diamond', symbolSize: 10,
                 itemStyle: {color: ['#E69F00', '#CC79A7', '#56B4E9'][k % 3]}, lineStyle: {width: 2}});
  });
  if (d.baseline) series.push({name: L.baseline, type: 'scatter', data: [d.baseline], symbol: 'diamond',
                               symbolSize: 12, itemStyle: {color: '#000000'}});
  if (d.target) series.push({name: L.targets, type: 'scatter', data: [d.target], symbol: 'triangle',
                             symbolSize: 12, itemStyle: {color: '#D55E00'},
                             markLine: {symbol: 'none', lineStyle: {color: '#D55E00', type: 'dotted'}, data: [{yAxis: d.target[1]}]}});
  if (d.trajectory) series.push({name: L.expected_trajectory, type: 'line', data: d.trajectory,
                                 lineStyle: {type: 'dashed', color: '#999999'}, itemStyle: {color: '#999999'}, symbol: 'none'});
  echarts.init(document.getElementById('indicator-chart')).setOption({
    tooltip: {trigger: 'item'}, legend: {top: 0}, grid: {top: 40, left: 60, right: 30, bottom: 30},
    xAxis: {type: 'value', min: 'dataMin', max: 'dataMax', minInterval: 1, axisLabel: {formatter: '{value}'}},
    yAxis: {type: 'value', scale: true}, series: series});
})();
