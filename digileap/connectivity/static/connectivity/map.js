/* The connectivity status map: a campaign's schools as circles coloured by their status for one
   benchmark, over the project's bundled Leaflet and country outlines (css/map.css), on a canvas
   (preferCanvas) so that 40,000 schools draw at once. No inline script (CSP): the section's
   data-url names the JSON (map_views.campaign_mapdata) with the page's filter. A row of the JSON is
   an array named once by "columns"; "status" and "option" index "statuses" and "options".
   Pointing at a school shows its name and status; a click or tap opens the figures and the costed
   proposal with links to the school's pages. Numbers follow <html lang> (Intl.NumberFormat). The
   legend in words and the table stand under the map in the page itself. */
(function () {
  "use strict";

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function start(section) {
    var L = window.L;
    var canvas = section.querySelector(".map__canvas");
    var status = section.querySelector(".map__status");
    var lang = document.documentElement.lang || undefined;
    if (!L || !canvas) {
      return;
    }
    section.classList.add("map--interactive");
    var decimal = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    var whole = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    var money = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    var map = L.map(canvas, { preferCanvas: true, zoomSnap: 0.25, scrollWheelZoom: false });
    map.setView([50.5, 10], 4);
    canvas.digileapMap = map; // for the browser tests
    var schools = L.featureGroup().addTo(map);

    function figure(value, format, unit, texts) {
      if (value === null || value === undefined) {
        return texts.unknown;
      }
      return format.format(value) + (unit ? "\u00a0" + unit : "");
    }

    function popup(row, data, at) {
      var texts = data.texts;
      var box = element("div", "connectivity-popup");
      box.appendChild(element("p", "connectivity-popup__title", row[at.name] + " (" + row[at.number] + ")"));
      var list = element("dl");
      function add(label, value) {
        list.appendChild(element("dt", "", label));
        list.appendChild(element("dd", "", value));
      }
      add(texts.status, data.statuses[row[at.status]].label);
      add(texts.measured, figure(row[at.measured], decimal, texts.mbps, texts));
      add(texts.required, figure(row[at.required], decimal, texts.mbps, texts));
      add(texts.tests, figure(row[at.tests], whole, "", texts));
      add(texts.days, figure(row[at.days], whole, "", texts));
      if (row[at.option] === null || row[at.option] === undefined) {
        add(texts.option, texts.no_proposal);
      } else {
        add(texts.option, data.options[row[at.option]].label);
        add(texts.gap, figure(row[at.gap], decimal, texts.mbps, texts));
        add(texts.classrooms_without_wifi, figure(row[at.classrooms_without_wifi], whole, "", texts));
        add(texts.total, figure(row[at.total], money, texts.eur, texts));
      }
      box.appendChild(list);
      var keys = Object.keys(data.links || {});
      if (keys.length) {
        var links = element("p", "connectivity-popup__links");
        keys.forEach(function (key, index) {
          var link = element("a", "", data.links[key].label);
          link.href = data.links[key].url.replace("{id}", String(row[at.id]));
          if (index) {
            links.appendChild(document.createTextNode(" · "));
          }
          links.appendChild(link);
        });
        box.appendChild(links);
      }
      return box;
    }

    function draw(data) {
      var at = {};
      data.columns.forEach(function (name, index) { at[name] = index; });
      schools.clearLayers();
      // Insufficient data first, then meets, moderate, below: the schools in need on top.
      var drawOrder = [3, 0, 1, 2];
      var rows = data.schools.slice().sort(function (a, b) {
        return drawOrder.indexOf(a[at.status]) - drawOrder.indexOf(b[at.status]);
      });
      var radius = rows.length < 500 ? 6 : rows.length < 5000 ? 4 : 2.5;
      var latLngs = [];
      rows.forEach(function (row) {
        var state = data.statuses[row[at.status]];
        var marker = L.circleMarker([row[at.latitude], row[at.longitude]], {
          radius: radius,
          color: "#2d3748",
          weight: 0.6,
          fillColor: state.colour,
          fillOpacity: 0.9,
        });
        marker.schoolRow = row;
        schools.addLayer(marker);
        latLngs.push([row[at.latitude], row[at.longitude]]);
      });
      // Tooltips and popups are made when a school is pointed at or clicked, not 40,000 up front.
      schools.off();
      schools.on("mouseover", function (event) {
        var marker = event.layer;
        if (!marker.getTooltip()) {
          var row = marker.schoolRow;
          marker.bindTooltip(row[at.name] + " (" + row[at.number] + "): " + data.statuses[row[at.status]].label, {
            direction: "top",
            className: "map-tooltip",
          });
        }
        marker.openTooltip();
      });
      schools.on("click", function (event) {
        var marker = event.layer;
        if (!marker.getPopup()) {
          marker.bindPopup(popup(marker.schoolRow, data, at), { maxWidth: 320 });
        }
        marker.openPopup();
      });
      if (status) {
        status.textContent = data.summary;
      }
      if (latLngs.length) {
        map.fitBounds(L.latLngBounds(latLngs), { padding: [16, 16], maxZoom: 12, animate: false });
      }
      section.dataset.state = "ready";
      section.dataset.schools = String(rows.length);
    }

    function background(settings) {
      if (settings.tile_url) {
        L.tileLayer(settings.tile_url, { attribution: settings.tile_attribution || "", maxZoom: 18 }).addTo(map);
      }
      if (!settings.boundaries) {
        return;
      }
      fetch(settings.boundaries, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (geojson) {
          var country = settings.country;
          L.geoJSON(geojson, {
            interactive: false,
            style: function (feature) {
              var home = String(feature.id) === country;
              return {
                color: home ? "#4a5568" : "#8896a8",
                weight: home ? 1.5 : 0.8,
                fillColor: home ? "#ffffff" : "#eef1f4",
                fillOpacity: 1,
              };
            },
          }).addTo(map).bringToBack();
        })
        .catch(function () {
          section.dataset.outlines = "0"; // without outlines the schools still show
        });
    }

    section.dataset.state = "loading";
    if (status && section.dataset.loadingText) {
      status.textContent = section.dataset.loadingText;
    }
    fetch(section.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        background(data.map);
        draw(data);
      })
      .catch(function () {
        section.dataset.state = "error";
        if (status) {
          status.textContent = section.dataset.errorText;
        }
      });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { map.invalidateSize({ animate: false }); }).observe(canvas);
    }
  }

  ready(function () {
    document.querySelectorAll("[data-connectivity-map]").forEach(start);
  });
})();
