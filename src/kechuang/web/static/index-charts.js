/* The charts of the index page: the composite and its dimensions over time (computed vs published), the
   latest change's decomposition, the radar of the dimensions, rank intervals and Sobol' indices of the
   uncertainty analysis, and the framework tree. Data and labels come from the JSON block #index-data
   (no inline script). */
(function () {
  var d = JSON.parse(document.getElementById('index-data').textContent);
  var l = d.labels;
  var palette = ['#000000', '#0072B2', '#E69F00', '#009E73', '#CC79A7'];
  var series = [];
  d.series.forEach(function (s, i) {
    series.push({name: s.name + ' · ' + l.computed, type: 'line', data: s.computed, connectNulls: true,
                 itemStyle: {color: palette[i]}, lineStyle: {type: 'dashed'}, symbol: 'circle'});
    series.push({name: s.name + ' · ' + l.published, type: 'line', data: s.published, connectNulls: true,
                 itemStyle: {color: palette[i]}, lineStyle: {width: 3}, symbol: 'diamond', symbolSize: 9});
  });
  echarts.init(document.getElementById('index-chart')).setOption({
    tooltip: {trigger: 'axis'}, legend: {type: 'scroll', top: 0}, grid: {top: 60, left: 50, right: 20, bottom: 30},
    xAxis: {type: 'category', data: d.years}, yAxis: {type: 'value', name: '2013 = 100'}, series: series});
  var dc = document.getElementById('decomp-chart');
  if (dc) {
    echarts.init(dc).setOption({tooltip: {}, grid: {left: 10, right: 40, top: 10, bottom: 30, containLabel: true},
      xAxis: {type: 'value'}, yAxis: {type: 'category', data: d.decomposition.map(function (x) { return x.name; })},
      series: [{type: 'bar', data: d.decomposition.map(function (x) { return x.value; }), itemStyle: {color: '#0072B2'},
                label: {show: true, position: 'right', formatter: function (p) { return p.value.toFixed(2); }}}]});
  }
  echarts.init(document.getElementById('radar-chart')).setOption({
    legend: {top: 0}, tooltip: {}, radar: {indicator: d.radar.indicators, radius: '65%'},
    series: [{type: 'radar', data: d.radar.series.map(function (s, i) {
      return {name: s.name, value: s.value, itemStyle: {color: ['#999999', '#0072B2'][i % 2]}, areaStyle: {opacity: 0.15}}; })}]});
  function errorBars(colour, shift) {
    return function (params, api) {
      var band = api.size([1, 0])[0], dx = band * shift, cap = band * 0.08;
      var lo = api.coord([api.value(0), api.value(1)]), hi = api.coord([api.value(0), api.value(2)]);
      var x = lo[0] + dx, style = {stroke: colour, lineWidth: 2};
      return {type: 'group', children: [
        {type: 'line', shape: {x1: x, y1: lo[1], x2: x, y2: hi[1]}, style: style},
        {type: 'line', shape: {x1: x - cap, y1: lo[1], x2: x + cap, y2: lo[1]}, style: style},
        {type: 'line', shape: {x1: x - cap, y1: hi[1], x2: x + cap, y2: hi[1]}, style: style}]};
    };
  }
  var ua = d.uncertainty, uc = document.getElementById('ua-chart');
  if (ua && uc) {
    echarts.init(uc).setOption({tooltip: {trigger: 'axis'}, legend: {top: 0},
      grid: {top: 40, left: 50, right: 20, bottom: 30},
      xAxis: {type: 'category', data: ua.units},
      yAxis: {type: 'value', inverse: true, min: 0, max: ua.units.length + 1, interval: 1, name: l.rank,
              axisLabel: {formatter: function (v) { return v >= 1 && v <= ua.units.length ? v : ''; }}},
      series: [
        {name: l.ua_interval, type: 'custom', renderItem: errorBars('#0072B2', 0), data: ua.interval,
         encode: {x: 0, y: [1, 2]}, z: 1},
        {name: l.ua_median, type: 'scatter', data: ua.median, symbol: 'rect', symbolSize: 8,
         itemStyle: {color: '#0072B2'}},
        {name: l.ua_nominal, type: 'scatter', data: ua.nominal, symbolSize: 10, itemStyle: {color: '#D55E00'}}]});
  }
  var sc = document.getElementById('sa-chart');
  if (ua && sc) {
    echarts.init(sc).setOption({tooltip: {trigger: 'axis'}, legend: {top: 0, data: [l.sa_first, l.sa_total]},
      grid: {top: 40, left: 50, right: 20, bottom: 30},
      xAxis: {type: 'category', data: ua.parameters}, yAxis: {type: 'value', min: 0},
      series: [
        {name: l.sa_first, type: 'bar', data: ua.s1, barWidth: '30%', barGap: '0%', itemStyle: {color: '#56B4E9'}},
        {name: l.sa_total, type: 'bar', data: ua.st, barWidth: '30%', itemStyle: {color: '#0072B2'}},
        {name: l.sa_first + ' CI', type: 'custom', renderItem: errorBars('#000000', -0.15), data: ua.s1_ci,
         encode: {x: 0, y: [1, 2]}, z: 10},
        {name: l.sa_total + ' CI', type: 'custom', renderItem: errorBars('#000000', 0.15), data: ua.st_ci,
         encode: {x: 0, y: [1, 2]}, z: 10}]});
  }
  var colours = {confirmed: '#009E73', reported: '#0072B2', proposed: '#999999'};
  function paint(n) { n.itemStyle = {color: colours[n.status] || '#000'}; (n.children || []).forEach(paint); return n; }
  echarts.init(document.getElementById('tree-chart')).setOption({
    series: [{type: 'tree', data: [paint(d.tree)], top: 10, left: 90, bottom: 10, right: 200, symbolSize: 8,
              initialTreeDepth: 2, label: {position: 'left', fontSize: 11}, leaves: {label: {position: 'right'}}}]});
})();
