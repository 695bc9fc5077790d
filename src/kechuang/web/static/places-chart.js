// The chart of /places: the carriers by zone at their coordinates.
// (a static file: the pages' Content-Security-Policy allows no inline script)
(function () {
  var L = JSON.parse(document.getElementById('places-labels').textContent);
  var points = JSON.parse(document.getElementById('places-data').textContent);
  var zones = {west: L.zone_west, central: L.zone_central, east: L.zone_east, none: L.zone_none};
  var colours = {west: '#0072B2', central: '#E69F00', east: '#009E73', none: '#999999'};
  var series = Object.keys(zones).map(function (z) {
    return {name: zones[z], type: 'scatter', symbolSize: 12, itemStyle: {color: colours[z]},
            label: {show: true, formatter: function (p) { return p.data.name; }, position: 'right', fontSize: 10},
            data: points.filter(function (p) { return p.zone === z; })};
  });
  var chart = echarts.init(document.getElementById('places-chart'));
  chart.setOption({legend: {top: 0}, tooltip: {formatter: function (p) { return p.data.name; }},
    xAxis: {type: 'value', scale: true, name: 'lon'}, yAxis: {type: 'value', scale: true, name: 'lat'}, series: series});
})();
