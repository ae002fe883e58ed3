// The browser speed test (docs/connectivity-speedtest.md): latency and jitter from ten timed
// requests to the installation's ping route, then M-Lab's ndt7 client (vendored, window.ndt7) for
// download and upload against the server the start of the test names, then the result posted
// back. With the installation's own server the posted figures are the server's signed summaries.
// Also: the copy buttons of the test links page.
(function () {
  'use strict';

  const PINGS = 10;

  function setupCopyButtons() {
    document.querySelectorAll('[data-copy-target]').forEach(function (button) {
      button.addEventListener('click', function () {
        const input = document.getElementById(button.dataset.copyTarget);
        input.select();
        const done = function () { button.textContent = button.dataset.copied; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, done);
        } else {
          document.execCommand('copy');
          done();
        }
      });
    });
  }

  function median(values) {
    const sorted = values.slice().sort(function (a, b) { return a - b; });
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  // Latency: the median of the round trips; jitter: the mean absolute difference of successive ones.
  async function measureLatency(url) {
    const options = { cache: 'no-store', credentials: 'same-origin' };
    await fetch(url, options); // opens the connection; not counted
    const rtts = [];
    for (let i = 0; i < PINGS; i += 1) {
      const started = performance.now();
      const response = await fetch(url + '?n=' + i, options);
      await response.arrayBuffer();
      rtts.push(performance.now() - started);
    }
    let differences = 0;
    for (let i = 1; i < rtts.length; i += 1) {
      differences += Math.abs(rtts[i] - rtts[i - 1]);
    }
    return { latency: median(rtts), jitter: differences / (rtts.length - 1) };
  }

  function runNdt7(root, started, onProgress) {
    const result = { download: '', upload: '', downloadMbps: null, uploadMbps: null, error: '' };
    const config = {
      server: started.server,
      protocol: started.protocol,
      metadata: started.ticket ? { ticket: started.ticket } : {},
      downloadworkerfile: root.dataset.downloadWorker,
      uploadworkerfile: root.dataset.uploadWorker,
      mlabDataPolicyInapplicable: true,
    };
    function serverMbps(data) {
      const info = data && data.AppInfo;
      return info && info.ElapsedTime > 0 ? (info.NumBytes * 8) / info.ElapsedTime : null;
    }
    return window.ndt7.test(config, {
      error: function (error) { result.error = String(error); },
      downloadStart: function () { onProgress('download', null); },
      downloadMeasurement: function (measurement) {
        if (measurement.Source === 'server') {
          if (measurement.Data.DigileapSummary) { result.download = measurement.Data.DigileapSummary; }
        } else {
          result.downloadMbps = measurement.Data.MeanClientMbps;
          onProgress('download', result.downloadMbps);
        }
      },
      uploadStart: function () { onProgress('upload', null); },
      uploadMeasurement: function (measurement) {
        if (measurement.Source === 'server') {
          // For the upload, the receiving server's count is the right one (ndt7's convention).
          const mbps = serverMbps(measurement.Data);
          if (mbps !== null) { result.uploadMbps = mbps; onProgress('upload', mbps); }
          if (measurement.Data.DigileapSummary) { result.upload = measurement.Data.DigileapSummary; }
        } else if (result.uploadMbps === null) {
          onProgress('upload', measurement.Data.MeanClientMbps);
        }
      },
    }).then(function () { return result; });
  }

  function setupTest(root) {
    const form = root.querySelector('form');
    const button = root.querySelector('[data-speedtest-button]');
    const status = root.querySelector('[data-speedtest-status]');
    const resultBox = root.querySelector('[data-speedtest-result]');
    const connectionError = root.querySelector('[data-speedtest-connection-error]');
    const numbers = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 1 });
    const token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
    let running = false;

    function say(text) { status.textContent = text; }
    function fail(message) {
      say(root.dataset.msgFailed + ' ' + message);
      status.classList.add('message', 'message--error');
      button.disabled = false;
      running = false;
    }
    function progress(direction, mbps) {
      const label = direction === 'download' ? root.dataset.msgDownload : root.dataset.msgUpload;
      say(mbps === null || mbps === undefined ? label : label + ' ' + numbers.format(mbps) + ' ' + root.dataset.unit);
    }
    async function postJson(url, body) {
      const response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': token, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { ok: response.ok, data: await response.json() };
    }

    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      if (running) { return; }
      if (typeof window.Worker === 'undefined' || typeof window.WebSocket === 'undefined' || !window.ndt7) {
        fail(root.dataset.msgUnsupported);
        return;
      }
      const chosen = form.querySelector('input[name="connection"]:checked');
      connectionError.hidden = Boolean(chosen);
      if (!chosen) {
        form.querySelector('input[name="connection"]').focus();
        return;
      }
      running = true;
      button.disabled = true;
      status.classList.remove('message', 'message--error');
      resultBox.textContent = '';
      try {
        say(root.dataset.msgLatency);
        const timing = await measureLatency(root.dataset.pingUrl);
        const startResponse = await fetch(root.dataset.startUrl, {
          method: 'POST', credentials: 'same-origin', body: new FormData(form),
        });
        const started = await startResponse.json();
        if (!startResponse.ok) { fail(started.message); return; }
        const measured = await runNdt7(root, started, progress);
        say(root.dataset.msgSaving);
        const body = {
          test: started.test,
          latency_ms: timing.latency,
          jitter_ms: timing.jitter,
        };
        if (started.verified) {
          body.download = measured.download;
          body.upload = measured.upload;
          if (!measured.download) { body.error = measured.error || 'no summary from the server'; }
        } else {
          body.download_mbps = measured.downloadMbps;
          body.upload_mbps = measured.uploadMbps;
          if (measured.downloadMbps === null) { body.error = measured.error || 'no measurement'; }
        }
        const finished = await postJson(started.finish_url, body);
        if (!finished.ok) {
          fail(body.error ? root.dataset.msgNoSummary : finished.data.message);
          return;
        }
        say('');
        resultBox.innerHTML = finished.data.result_html;
        const recent = document.querySelector('[data-speedtest-recent-container]');
        if (recent && finished.data.recent_html) { recent.innerHTML = finished.data.recent_html; }
        button.disabled = false;
        running = false;
      } catch (error) {
        fail(String(error));
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    setupCopyButtons();
    document.querySelectorAll('[data-speedtest]').forEach(setupTest);
  });
}());
