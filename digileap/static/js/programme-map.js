/* The programme dashboard's map: schools as circles coloured by the chosen indicator, over the
   bundled country outlines, drawn with Leaflet (static/vendor/leaflet). No inline script: the page
   gives the address of the map's JSON (programmes/maps.py; ?layer=KEY for a layer) in the
   data-url attribute of the map's section. The JSON names, under "map", the GeoJSON of the
   outlines, the programme's country among them (highlighted) and, only if the installation has
   one, a tile server ({z}/{x}/{y}) with its attribution.
   Numbers are formatted for the page's language (Intl.NumberFormat with <html lang>). */
(function () {
  "use strict";

  var COLOURS = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"];
  var NO_VALUE = "#a0aec0";

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ": " + response.status);
      }
      return response.json();
    });
  }

  function formatter(lang, unit) {
    var digits = unit === "%" ? 1 : 2;
    var number = new Intl.NumberFormat(lang || undefined, { maximumFractionDigits: digits });
    var format = function (value) {
      if (value === null || value === undefined) {
        return null;
      }
      var text = number.format(value);
      return unit ? text + "\u00a0" + unit : text;
    };
    format.number = function (value) {
      return number.format(value);
    };
    return format;
  }

  /* Up to five classes: the values' quantiles, each upper bound the largest value in its class. */
  function classes(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var bounds = [];
    for (var i = 1; i <= COLOURS.length; i += 1) {
      var bound = sorted[Math.ceil((sorted.length * i) / COLOURS.length) - 1];
      if (bound !== undefined && bounds.indexOf(bound) === -1) {
        bounds.push(bound);
      }
    }
    return bounds;
  }

  function classOf(bounds, value) {
    for (var i = 0; i < bounds.length; i += 1) {
      if (value <= bounds[i]) {
        return i;
      }
    }
    return bounds.length - 1;
  }

  function colour(bounds, index) {
    // Spread the classes over the whole scale when there are fewer than five.
    if (bounds.length <= 1) {
      return COLOURS[COLOURS.length - 1];
    }
    return COLOURS[Math.round((index * (COLOURS.length - 1)) / (bounds.length - 1))];
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function swatch(fill) {
    var node = element("span", "map-legend__swatch");
    node.setAttribute("aria-hidden", "true");
    node.dataset.fill = fill;
    return node;
  }

  function start(section) {
    var L = window.L;
    var canvas = section.querySelector(".map__canvas");
    var status = section.querySelector(".map__status");
    var picker = section.querySelector(".map__layer");
    var lang = document.documentElement.lang;
    if (!L || !canvas) {
      return;
    }
    section.classList.add("map--interactive");
    var map = L.map(canvas, { preferCanvas: true, zoomSnap: 0.25, scrollWheelZoom: false });
    map.setView([50.5, 10], 4);
    canvas.digileapMap = map; // for the browser tests
    var schools = L.featureGroup().addTo(map);
    // One tooltip object per school only once it is pointed at (40,000 schools draw in a second).
    function showTooltip(event) {
      var marker = event.layer;
      if (!marker.getTooltip()) {
        marker.bindTooltip(marker.options.label, { direction: "top", className: "map-tooltip" });
      }
      marker.openTooltip();
    }
    schools.on("mouseover click", showTooltip);
    // The legend stands under the map, so it never hides a school (phones included).
    var legendBox = element("div", "map-legend");
    canvas.insertAdjacentElement("afterend", legendBox);
    var fitted = false;
    var background = false;
    // The schools' bounds, once drawn: the map is fitted to them, and fitted again when its box
    // changes size (a window resized, a phone turned) until the reader moves the map.
    var schoolBounds = null;
    var moved = false;
    map.on("dragstart", function () { moved = true; });
    var fitting = false;
    map.on("zoomstart", function () {
      if (!fitting) {
        moved = true; // the zoom buttons, the keyboard, a double click
      }
    });
    function fitSchools() {
      if (!schoolBounds) {
        return;
      }
      fitting = true;
      map.invalidateSize({ animate: false });
      map.fitBounds(schoolBounds, { padding: [16, 16], maxZoom: 12, animate: false });
      fitting = false;
    }
    if (window.ResizeObserver) {
      var lastWidth = canvas.clientWidth;
      var lastHeight = canvas.clientHeight;
      new ResizeObserver(function () {
        if (canvas.clientWidth === lastWidth && canvas.clientHeight === lastHeight) {
          return;
        }
        lastWidth = canvas.clientWidth;
        lastHeight = canvas.clientHeight;
        if (moved) {
          map.invalidateSize({ animate: false });
        } else {
          fitSchools();
        }
      }).observe(canvas);
    }

    /* Once: the tiles (if any) and the outlines, from the first answer's settings. */
    function showBackground(settings) {
      if (background) {
        return;
      }
      background = true;
      if (settings.tile_url) {
        L.tileLayer(settings.tile_url, { attribution: settings.tile_attribution || "", maxZoom: 18 }).addTo(map);
      }
      if (!settings.boundaries) {
        return;
      }
      var country = settings.country;
      getJSON(settings.boundaries)
        .then(function (geojson) {
          var outlines = L.geoJSON(geojson, {
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
          }).addTo(map);
          outlines.bringToBack();
          section.dataset.outlines = String(outlines.getLayers().length);
          if (!fitted) {
            var home = outlines.getLayers().filter(function (layer) { return String(layer.feature.id) === country; });
            if (home.length) {
              map.fitBounds(home[0].getBounds(), { padding: [8, 8] });
            }
          }
        })
        .catch(function () {
          section.dataset.outlines = "0"; // without outlines the schools still show
        });
    }

    /* The legend: the layer's name and unit, a swatch per class with its range (numbers only),
       "no value", and the total where adding up makes sense. */
    function showLegend(data, bounds, format) {
      legendBox.replaceChildren();
      var title = element("h3", "map-legend__title", data.layer.label);
      title.title = data.layer.label;
      legendBox.appendChild(title);
      if (data.layer.unit) {
        legendBox.appendChild(element("p", "map-legend__unit", data.layer.unit));
      }
      var list = element("ul", "map-legend__list");
      list.setAttribute("aria-label", data.texts.legend);
      var lower = null;
      bounds.forEach(function (bound, index) {
        var item = element("li");
        item.appendChild(swatch(colour(bounds, index)));
        var text = format.number(bound);
        if (index === 0 && bounds.length > 1) {
          text = "≤ " + text;
        } else if (lower !== null) {
          text = format.number(lower) + " – " + text;
        }
        item.appendChild(document.createTextNode(text));
        list.appendChild(item);
        lower = bound;
      });
      var none = element("li");
      none.appendChild(swatch(NO_VALUE));
      none.appendChild(document.createTextNode(data.texts.no_value));
      list.appendChild(none);
      legendBox.appendChild(list);
      if (data.layer.total !== null && data.layer.total !== undefined) {
        legendBox.appendChild(element("p", "map-legend__total", data.texts.total + ": " + format(data.layer.total)));
      }
    }

    function showPicker(data) {
      if (!picker || picker.options.length) {
        return;
      }
      data.layers.forEach(function (layer) {
        var option = element("option", "", layer.label + (layer.mappable ? "" : " " + data.texts.not_mappable));
        option.value = layer.key;
        option.disabled = !layer.mappable;
        if (layer.reason) {
          option.title = layer.reason;
        }
        picker.appendChild(option);
      });
      picker.value = data.layer.key;
      picker.closest(".map__controls").hidden = false;
      picker.addEventListener("change", function () {
        load(picker.value);
      });
    }

    function draw(data) {
      var format = formatter(lang, data.layer.unit);
      var values = data.schools
        .map(function (row) { return row[4]; })
        .filter(function (value) { return value !== null; });
      var bounds = classes(values);
      // A tooltip left open (the pointer on a school) goes with its school.
      schools.eachLayer(function (layer) {
        if (layer.getTooltip()) {
          layer.unbindTooltip();
        }
      });
      schools.clearLayers();
      // The schools without a value first, so those with one are drawn over them.
      var rows = data.schools.slice().sort(function (a, b) {
        return (a[4] === null ? -1 : 0) - (b[4] === null ? -1 : 0);
      });
      var radius = rows.length < 500 ? 6 : rows.length < 5000 ? 4 : 2.5;
      var latLngs = [];
      rows.forEach(function (row) {
        var value = row[4];
        var fill = value === null ? NO_VALUE : colour(bounds, classOf(bounds, value));
        var marker = L.circleMarker([row[2], row[3]], {
          radius: radius,
          color: "#2d3748",
          weight: 0.6,
          fillColor: fill,
          fillOpacity: 0.9,
          label: row[1] + " (" + row[0] + "): " + (value === null ? data.texts.no_value : format(value)),
        });
        schools.addLayer(marker);
        latLngs.push([row[2], row[3]]);
      });
      showLegend(data, bounds, format);
      legendBox.querySelectorAll(".map-legend__swatch").forEach(function (node) {
        node.style.backgroundColor = node.dataset.fill;
      });
      if (status) {
        status.textContent = data.summary;
      }
      if (!fitted && latLngs.length) {
        schoolBounds = L.latLngBounds(latLngs);
        fitSchools();
        fitted = true;
      }
      section.dataset.state = "ready";
      section.dataset.layer = data.layer.key;
    }

    function load(key) {
      section.dataset.state = "loading";
      if (status && section.dataset.loadingText) {
        status.textContent = section.dataset.loadingText;
      }
      var url = section.dataset.url + (key ? "?layer=" + encodeURIComponent(key) : "");
      return getJSON(url)
        .then(function (data) {
          showPicker(data);
          draw(data);
          showBackground(data.map);
        })
        .catch(function (error) {
          section.dataset.state = "error";
          if (status) {
            status.textContent = section.dataset.errorText || String(error);
          }
        });
    }

    load(picker && picker.value ? picker.value : "");
  }

  ready(function () {
    document.querySelectorAll("[data-programme-map]").forEach(start);
  });
})();
