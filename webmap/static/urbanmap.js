/* urbanmap: draws the choropleth, the offline land background and the archipelagos on a Leaflet map.
   Geometry comes from same-origin URLs (fetched once, cached by the browser); every text from data is
   put into the page with textContent, never as HTML. */
(function () {
  'use strict';
  var requests = {};

  function getJSON(url) {
    if (!requests[url]) {
      requests[url] = fetch(url, { credentials: 'same-origin' }).then(function (r) {
        if (!r.ok) { throw new Error(url + ': HTTP ' + r.status); }
        return r.json();
      });
    }
    return requests[url];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function tooltip(unit) {
    var box = el('div', 'um-tooltip');
    box.appendChild(el('strong', null, unit.name));
    box.appendChild(el('div', 'um-tooltip-value', unit.label));
    if (unit.detail) { box.appendChild(el('div', 'um-tooltip-detail', unit.detail)); }
    return box;
  }

  function styleFor(cfg, code) {
    var unit = cfg.units[code];
    var inFocus = !cfg.highlight.length || cfg.highlight.indexOf(code) >= 0;
    var style = { color: '#555555', weight: 0.8, opacity: 1, fillOpacity: inFocus ? 0.85 : 0.35 };
    if (!unit || unit.colour === null) {
      style.fillColor = cfg.missing_colour;
      style.dashArray = '3 3';
    } else {
      style.fillColor = unit.colour;
    }
    if (cfg.focus && code === cfg.focus) { style.weight = 3; style.color = '#000000'; }
    return style;
  }

  function addPanes(map) {
    [['um-land', 200], ['um-units', 400], ['um-wards', 420], ['um-islands', 450]].forEach(function (p) {
      map.createPane(p[0]).style.zIndex = p[1];
    });
  }

  function drawUnits(map, cfg, data) {
    var container = map.getContainer();
    var layer = L.geoJSON(data, {
      pane: 'um-units',
      style: function (f) { return styleFor(cfg, f.id); },
      onEachFeature: function (f, lyr) {
        var unit = cfg.units[f.id];
        if (!unit) { return; }
        lyr.bindTooltip(function () { return tooltip(unit); }, { sticky: true });
        lyr.on('click', function () {
          var picker = document.getElementById('um-pick');
          if (picker && picker.checked) { togglePick(f.id, lyr); return; }
          if (unit.href) { window.location.assign(unit.href); }
        });
        lyr.on('add', function () {
          var path = lyr.getElement && lyr.getElement();
          if (path) {
            path.setAttribute('data-code', f.id);
            path.setAttribute('aria-label', unit.name + ': ' + unit.label);
            path.classList.add('um-unit');
            path.setAttribute('tabindex', '-1');
            path.addEventListener('keydown', function (event) { unitKey(event, lyr); });
          }
        });
      }
    }).addTo(map);
    container.setAttribute('data-units-drawn', String(data.features.length));
    rovingFocus(container);
    drawLabels(map, cfg, data);
    return layer;
  }

  /* The map's units are one stop of the Tab key, not one stop each (the ranked table below is the keyboard route
     through all of them): the arrow keys move between units in name order, Enter or Space opens the focused one. */
  function rovingFocus(container) {
    var paths = Array.prototype.slice.call(container.querySelectorAll('path.um-unit'));
    paths.sort(function (a, b) { return a.getAttribute('aria-label').localeCompare(b.getAttribute('aria-label'), 'vi'); });
    paths.forEach(function (path, i) { path.setAttribute('tabindex', i === 0 ? '0' : '-1'); path.umOrder = i; });
    container.umUnits = paths;
  }

  function unitKey(event, lyr) {
    var path = event.currentTarget, paths = path.closest('.folium-map').umUnits || [path];
    var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      lyr.fire('click');
    } else if (step || event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      event.stopPropagation();  /* not Leaflet's own arrow-key panning */
      var next = event.key === 'Home' ? 0 : event.key === 'End' ? paths.length - 1 : (path.umOrder + step + paths.length) % paths.length;
      path.setAttribute('tabindex', '-1');
      paths[next].setAttribute('tabindex', '0');
      paths[next].focus();
    }
  }

  /* Unit names on the map where they fit, at every zoom: a name no wider than its unit on screen and clear of the
     names placed before it (the larger units first); written at the label point the geometry carries (lx, ly). */
  function drawLabels(map, cfg, data) {
    var group = L.layerGroup().addTo(map);
    var units = data.features.filter(function (f) { return cfg.units[f.id] && f.properties.lx !== undefined; })
      .map(function (f) {
        var box = L.geoJSON(f).getBounds();
        return { code: f.id, name: cfg.units[f.id].name, at: L.latLng(f.properties.ly, f.properties.lx), box: box };
      });
    function place() {
      group.clearLayers();
      var placed = [];
      var sized = units.map(function (u) {
        var a = map.latLngToContainerPoint(u.box.getSouthWest()), b = map.latLngToContainerPoint(u.box.getNorthEast());
        return { u: u, w: Math.abs(b.x - a.x), h: Math.abs(a.y - b.y) };
      }).sort(function (p, q) { return q.w * q.h - p.w * p.h; });
      var size = map.getSize();
      sized.forEach(function (s) {
        var width = s.u.name.length * 6.2 + 4, height = 14;  /* 11px text */
        if (s.w < width * 0.8 || s.h < height) { return; }
        var p = map.latLngToContainerPoint(s.u.at);
        if (p.x < 0 || p.y < 0 || p.x > size.x || p.y > size.y) { return; }
        var box = [p.x - width / 2, p.y - height / 2, p.x + width / 2, p.y + height / 2];
        if (placed.some(function (o) { return box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]; })) { return; }
        placed.push(box);
        L.tooltip({ permanent: true, direction: 'center', className: 'um-unit-label', interactive: false, opacity: 1 })
          .setLatLng(s.u.at).setContent(el('span', null, s.u.name)).addTo(group);
      });
      map.getContainer().setAttribute('data-labels-drawn', String(placed.length));
    }
    map.on('zoomend moveend resize', place);
    place();
  }

  /* Hoàng Sa and Trường Sa in inset boxes at the map's right edge, each at its true shape (drawn in its own box,
     north up): a click, Enter or Space takes the map to the archipelago itself, where its units are. */
  function drawInsets(map, cfg, data) {
    var Inset = L.Control.extend({
      onAdd: function () {
        var box = L.DomUtil.create('div', 'um-insets');
        data.features.slice().sort(function (a, b) { return b.properties.label_lat - a.properties.label_lat; }).forEach(function (f) {
          var name = cfg.island_labels[f.properties.name_vi] || f.properties.name_vi;
          var button = L.DomUtil.create('button', 'um-inset', box);
          button.type = 'button';
          button.setAttribute('aria-label', name);
          button.title = name;
          button.appendChild(insetDrawing(f));
          button.appendChild(el('span', 'um-inset-name', name));
          var bounds = L.geoJSON(f).getBounds();
          L.DomEvent.disableClickPropagation(button);
          L.DomEvent.on(button, 'click', function () { map.flyToBounds(bounds, { padding: [20, 20] }); });
        });
        return box;
      }
    });
    new Inset({ position: 'topright' }).addTo(map);
    map.getContainer().setAttribute('data-insets-drawn', String(data.features.length));
  }

  var SVG = 'http://www.w3.org/2000/svg';
  function insetDrawing(feature) {
    var rings = [];
    var g = feature.geometry;
    (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).forEach(function (poly) { poly.forEach(function (r) { rings.push(r); }); });
    var xs = [], ys = [];
    rings.forEach(function (r) { r.forEach(function (c) { xs.push(c[0]); ys.push(c[1]); }); });
    var west = Math.min.apply(null, xs), east = Math.max.apply(null, xs), south = Math.min.apply(null, ys), north = Math.max.apply(null, ys);
    var k = Math.cos((south + north) / 2 * Math.PI / 180);  /* equirectangular at the box's middle latitude */
    var pad = Math.max((east - west) * k, north - south) * 0.08;
    var w = (east - west) * k + 2 * pad, h = north - south + 2 * pad;
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + w.toFixed(4) + ' ' + h.toFixed(4));
    svg.setAttribute('aria-hidden', 'true');
    var d = rings.map(function (r) {
      return 'M' + r.map(function (c) { return ((c[0] - west) * k + pad).toFixed(4) + ' ' + (north - c[1] + pad).toFixed(4); }).join('L') + 'Z';
    }).join('');
    var path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    path.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.appendChild(path);
    return svg;
  }

  function drawIslands(map, cfg, data) {
    L.geoJSON(data, {
      pane: 'um-islands', interactive: false,
      style: { color: '#444444', weight: 1, fillColor: '#8c8c8c', fillOpacity: 0.9 }
    }).addTo(map);
    data.features.forEach(function (f) {
      var p = f.properties;
      var text = cfg.island_labels[p.name_vi] || p.name_vi;
      L.tooltip({ permanent: true, direction: 'right', className: 'um-island-label', interactive: false })
        .setLatLng([p.label_lat, p.label_lon]).setContent(el('span', null, text)).addTo(map);
    });
    map.getContainer().setAttribute('data-islands-drawn', String(data.features.length));
  }

  /* Picking units on the national map for a comparison: toggles the unit's checkbox in the compare form. */
  function togglePick(code, lyr) {
    var box = document.querySelector('#compare-form input[name="codes"][value="' + code + '"]');
    if (!box) { return; }
    box.checked = !box.checked;
    lyr.setStyle({ weight: box.checked ? 3 : 0.8, color: box.checked ? '#000000' : '#555555' });
    pickedCount();
  }

  /* How many units are picked: in the form's status and on the map's floating control. */
  function pickedCount() {
    var count = document.querySelectorAll('#compare-form input[name="codes"]:checked').length;
    var status = document.getElementById('um-picked');
    if (status) { status.textContent = String(count); }
    Array.prototype.forEach.call(document.querySelectorAll('.um-compare-go'), function (go) {
      go.textContent = go.getAttribute('data-text').replace('%n', String(count));
      go.disabled = count < 2;
    });
    return count;
  }

  /* The floating "compare (n)" control beside the map: turns picking on and off (as the form's checkbox does)
     and sends the picked units to the comparison. */
  function compareControl(map, cfg) {
    var form = document.getElementById('compare-form'), box = document.getElementById('um-pick');
    if (!cfg.compare || !form || !box) { return; }
    var Control = L.Control.extend({
      onAdd: function () {
        var bar = L.DomUtil.create('div', 'um-compare-control leaflet-bar');
        var pick = L.DomUtil.create('button', 'um-pick-toggle', bar);
        pick.type = 'button';
        pick.textContent = cfg.compare.pick;
        pick.setAttribute('aria-pressed', String(box.checked));
        var go = L.DomUtil.create('button', 'um-compare-go', bar);
        go.type = 'button';
        go.title = cfg.compare.hint;
        go.setAttribute('data-text', cfg.compare.go);
        L.DomEvent.disableClickPropagation(bar);
        L.DomEvent.on(pick, 'click', function () {
          box.checked = !box.checked;
          pick.setAttribute('aria-pressed', String(box.checked));
        });
        box.addEventListener('change', function () { pick.setAttribute('aria-pressed', String(box.checked)); });
        L.DomEvent.on(go, 'click', function () { if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); } });
        form.addEventListener('change', pickedCount);
        return bar;
      }
    });
    new Control({ position: 'topleft' }).addTo(map);
    pickedCount();
  }

  /* Several maps on a page (the comparison): zoom them together while the "link zoom" box is ticked. */
  var maps = [];
  var syncing = false;
  function linkZoom(map) {
    maps.push(map);
    map.on('zoomend', function () {
      var link = document.getElementById('um-link-zoom');
      if (syncing || !link || !link.checked) { return; }
      syncing = true;
      maps.forEach(function (other) {
        if (other !== map && other.getZoom() !== map.getZoom()) { other.setZoom(map.getZoom(), { animate: false }); }
      });
      syncing = false;
    });
  }

  /* A list filter that ignores diacritics ("can tho" finds "Cần Thơ"). */
  function fold(text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  }
  document.addEventListener('input', function (event) {
    var input = event.target;
    if (!input || !input.classList || !input.classList.contains('um-filter')) { return; }
    var query = fold(input.value.trim());
    document.querySelectorAll(input.getAttribute('data-target') + ' [data-name]').forEach(function (item) {
      item.hidden = query !== '' && fold(item.getAttribute('data-name')).indexOf(query) < 0;
    });
  });

  /* Wards (or any ward-level set): per province, loaded when the map comes close (zoom >= min_zoom) or always for
     the provinces in cfg.wards.always; the finer outlines from fine_zoom on. Outlines only, each a link to its page. */
  function drawWards(map, cfg) {
    var w = cfg.wards;
    var shown = {};
    var container = map.getContainer();
    function key(parent, level) { return parent + '/' + level; }
    function wardLayer(data) {
      return L.geoJSON(data, {
        pane: 'um-wards',
        style: function (f) {
          var focus = w.focus && f.id === w.focus;
          return { color: focus ? '#000000' : '#3d3d3d', weight: focus ? 3 : 0.7, opacity: 0.9,
            fill: true, fillColor: '#000000', fillOpacity: focus ? 0.12 : 0 };
        },
        onEachFeature: function (f, lyr) {
          var name = f.properties[w.name] || f.properties.full_name_vi;
          lyr.bindTooltip(function () { return el('strong', null, name); }, { sticky: true });
          lyr.on('click', function () { window.location.assign(w.href.replace('__CODE__', f.id)); });
          lyr.on('add', function () {
            var path = lyr.getElement && lyr.getElement();
            if (path) { path.setAttribute('data-ward', f.id); path.setAttribute('aria-label', name); path.classList.add('um-ward'); }
          });
        }
      });
    }
    function refresh() {
      var zoom = map.getZoom();
      var view = map.getBounds();
      var level = zoom >= w.fine_zoom ? 'fine' : 'coarse';
      var wanted = {};
      Object.keys(w.parents).forEach(function (parent) {
        var always = w.always.indexOf(parent) >= 0;
        if ((always || zoom >= w.min_zoom) && view.intersects(L.latLngBounds(w.parents[parent]))) { wanted[key(parent, level)] = parent; }
      });
      Object.keys(shown).forEach(function (k) {  /* one still loading is dropped too: it is not drawn when it comes */
        if (wanted[k]) { return; }
        if (shown[k].layer) { map.removeLayer(shown[k].layer); }
        delete shown[k];
      });
      Object.keys(wanted).forEach(function (k) {
        if (shown[k]) { return; }
        var entry = shown[k] = { layer: null };
        var url = w.url.replace('__PARENT__', encodeURIComponent(wanted[k])).replace('__LEVEL__', level);
        getJSON(url).then(function (data) {
          if (shown[k] !== entry) { return; }  /* gone out of view meanwhile */
          entry.layer = wardLayer(data).addTo(map);
          container.setAttribute('data-wards-drawn', String(container.querySelectorAll('.um-ward').length));
        });
      });
    }
    map.on('moveend zoomend', refresh);
    refresh();
  }

  /* Maps of one page that show the same units (the panes of a comparison) send them once: the first map's
     config names them (units_id), the others refer to them (units_from). */
  var sharedUnits = {};

  /* The background land is clipped to a box: the map is neither panned nor zoomed out beyond it, so that its
     straight edges never show. */
  function keepToLand(map, cfg) {
    var land = L.latLngBounds(cfg.land_bounds);
    function limit() {
      var inside = map.getBoundsZoom(land, true);
      map.setMinZoom(Math.min(inside, map.getZoom()));
    }
    map.setMaxBounds(land);
    map.options.maxBoundsViscosity = 1;
    limit();
    map.on('resize', limit);
  }

  function draw(map, cfg) {
    if (cfg.units_id) { sharedUnits[cfg.units_id] = cfg.units; }
    if (cfg.units_from) { cfg.units = sharedUnits[cfg.units_from] || {}; }
    map.options.zoomSnap = 0.25;  /* the box fills the map (whole zoom steps leave up to half of it empty) */
    map.options.zoomDelta = 0.5;
    /* not animated: a zoom animation under way drops the next setView (Leaflet ignores it until the first ends) */
    if (cfg.bounds) { map.fitBounds(cfg.bounds, { animate: false }); }
    keepToLand(map, cfg);
    compareControl(map, cfg);
    addPanes(map);
    linkZoom(map);
    getJSON(cfg.land_url).then(function (data) {
      L.geoJSON(data, { pane: 'um-land', interactive: false,
        style: { color: '#b9b4a8', weight: 0.5, fillColor: '#f4f1ea', fillOpacity: 1 } }).addTo(map);
    });
    getJSON(cfg.geometry_url).then(function (data) { drawUnits(map, cfg, data); });
    getJSON(cfg.islands_url).then(function (data) {
      drawIslands(map, cfg, data);
      if (cfg.insets) { drawInsets(map, cfg, data); }
    });
    if (cfg.wards) { drawWards(map, cfg); }
  }

  /* Selects with class um-autosubmit submit their form on a committed choice (no inline handlers: CSP): a pick
     with the mouse; from the keyboard, Enter, or leaving the select after changing it -- arrow keys only move
     through the options, so that a keyboard user is not sent to a new page at every step.
     Choosing another issue, indicator or boundary set drops the choices that depend on it. */
  var DEPENDENT = {
    issue: ['indicator', 'year', 'mode', 'target', 'from'],
    indicator: ['year', 'mode', 'target', 'from'],
    boundary: ['indicator', 'year', 'mode', 'target', 'from'],
    mode: ['target', 'from'],
    year: ['from']
  };
  function autosubmit(target) {
    return target && target.classList && target.classList.contains('um-autosubmit') && target.form ? target : null;
  }
  function commit(select) {
    (DEPENDENT[select.name] || []).forEach(function (name) {
      var field = select.form.elements[name];
      if (field) { field.disabled = true; }
    });
    select.form.submit();
  }
  document.addEventListener('focusin', function (event) {
    var select = autosubmit(event.target);
    if (select) { select.dataset.initial = select.value; delete select.dataset.keyed; }
  });
  document.addEventListener('keydown', function (event) {
    var select = autosubmit(event.target);
    if (!select) { return; }
    if (event.key === 'Enter') { event.preventDefault(); commit(select); return; }
    if (event.key !== 'Tab' && event.key !== 'Shift') { select.dataset.keyed = '1'; }
  });
  document.addEventListener('change', function (event) {
    var select = autosubmit(event.target);
    if (select && !select.dataset.keyed) { commit(select); }
  });
  document.addEventListener('focusout', function (event) {
    var select = autosubmit(event.target);
    if (select && select.dataset.keyed && select.value !== select.dataset.initial) { commit(select); }
  });

  /* On a narrow screen a table shows each row as a block (urbanmap.css): every cell is labelled with its
     column's header. A row after a cell spanning several rows has fewer cells: they are the last columns. */
  function labelCells() {
    Array.prototype.forEach.call(document.querySelectorAll('table.um-table'), function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) { return th.textContent.trim(); });
      Array.prototype.forEach.call(table.querySelectorAll('tbody tr'), function (row) {
        var offset = Math.max(0, heads.length - row.children.length);
        Array.prototype.forEach.call(row.children, function (cell, i) {
          var head = heads[i + offset];
          if (head && cell.tagName === 'TD' && !cell.hasAttribute('colspan')) { cell.setAttribute('data-label', head); }
        });
      });
    });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', labelCells); } else { labelCells(); }

  window.urbanmap = { draw: draw };
}());
