/* The spatial-structure map: district outlines (GeoJSON registered with ECharts) and the plan's places as
   points, one series per zone with its own colour and shape (Okabe–Ito palette, shapes for colour-blind
   readers). Sets data-ready="1" on the chart element once drawn. */
(function () {
  'use strict';
  var el = document.getElementById('map-chart');
  var cfg = JSON.parse(document.getElementById('map-data').textContent);
  var style = {
    west: {color: '#0072B2', symbol: 'circle'},
    central: {color: '#D55E00', symbol: 'triangle'},
    east: {color: '#009E73', symbol: 'diamond'},
    none: {color: '#666666', symbol: 'rect'}
  };
  fetch('/map/districts.geojson').then(function (r) { return r.json(); }).then(function (geo) {
    echarts.registerMap('yangpu', geo);
    var chart = echarts.init(el);
    var series = Object.keys(style).map(function (z) {
      return {
        name: cfg.zones[z], type: 'scatter', coordinateSystem: 'geo', symbol: style[z].symbol, symbolSize: 13,
        itemStyle: {color: style[z].color, borderColor: '#ffffff', borderWidth: 1},
        label: {show: true, position: 'right', fontSize: 11, color: '#1a1a1a',
                formatter: function (p) { return p.data.name; }},
        labelLayout: {hideOverlap: true},
        data: cfg.points.filter(function (p) { return p.zone === z; })
      };
    });
    chart.on('finished', function () { el.setAttribute('data-ready', '1'); });
    chart.setOption({
      animation: false,
      legend: {top: 0, data: series.map(function (s) { return s.name; })},
      tooltip: {formatter: function (p) {
        if (!p.data || !p.data.code) { return p.name; }
        return p.data.name + '<br>' + p.data.type + ' · ' + cfg.zones[p.data.zone] +
          (p.data.approximate ? ' (' + cfg.approximate + ')' : '');
      }},
      geo: {
        map: 'yangpu', roam: true, nameProperty: cfg.nameProperty,
        boundingCoords: [[121.475, 31.355], [121.59, 31.235]],
        itemStyle: {areaColor: '#f2f2f2', borderColor: '#8c8c8c'},
        label: {show: true, color: '#595959'},
        emphasis: {disabled: true},
        regions: [{name: cfg.nameProperty === 'name' ? cfg.district : 'Yangpu',
                   itemStyle: {areaColor: '#fff8e1', borderColor: '#1a1a1a', borderWidth: 2}}]
      },
      series: series
    });
    window.addEventListener('resize', function () { chart.resize(); });
  });
})();
