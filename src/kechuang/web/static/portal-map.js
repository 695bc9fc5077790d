/* The spatial-structure map: district outlines (GeoJSON registered with ECharts) and the plan's places as
   points, one series per zone with its own colour and shape (cfg.marks: Okabe–Ito palette, shapes for
   colour-blind readers). Zones, labels, the district's own feature and the bounds come from the plan's bundle
   through #map-data. Sets data-ready="1" on the chart element once drawn. */
(function () {
  'use strict';
  var el = document.getElementById('map-chart');
  var cfg = JSON.parse(document.getElementById('map-data').textContent);
  if (!cfg.outline) { return; }
  var style = cfg.marks;
  fetch('/map/districts.geojson').then(function (r) { return r.json(); }).then(function (geo) {
    echarts.registerMap('district', geo);
    var chart = echarts.init(el);
    var series = cfg.zones.map(function (z) {
      return {
        name: cfg.zone_labels[z], type: 'scatter', coordinateSystem: 'geo', symbol: style[z].symbol, symbolSize: 13,
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
        return p.data.name + '<br>' + p.data.type + ' · ' + cfg.zone_labels[p.data.zone] +
          (p.data.approximate ? ' (' + cfg.approximate + ')' : '');
      }},
      geo: {
        map: 'district', roam: true, nameProperty: cfg.nameProperty,
        boundingCoords: cfg.bounds || undefined,
        itemStyle: {areaColor: '#f2f2f2', borderColor: '#8c8c8c'},
        label: {show: true, color: '#595959'},
        emphasis: {disabled: true},
        regions: [{name: cfg.district,
                   itemStyle: {areaColor: '#fff8e1', borderColor: '#1a1a1a', borderWidth: 2}}]
      },
      series: series
    });
    window.addEventListener('resize', function () { chart.resize(); });
  });
})();
