// Opening snapshots: the "Open snapshot" button and file input, the drop zone that covers the page,
// the demo button, the progress card with its Cancel button, and the error banner.
//
// This view only collects the user's intent and shows progress; main.js runs the load.

import * as fmt from './format.js';

const PHASES = {
  reading: 'Reading',
};

export class OpenView {
  // onOpen(source): source is {kind: 'file', file, name} or {kind: 'url', url, name}.
  // onCancel(): the user wants the current load stopped.
  constructor({ onOpen, onCancel }) {
    this.onOpen = onOpen;
    const $ = (id) => document.getElementById(id);
    this.input = $('file-input');
    this.progress = $('progress');
    this.progressTitle = $('progress-title');
    this.progressBar = $('progress-bar');
    this.progressBytes = $('progress-bytes');
    this.progressPhase = $('progress-phase');
    this.banner = $('error-banner');
    this.bannerText = $('error-text');
    this.overlay = $('drop-overlay');

    // The top bar and the welcome card both have these buttons.
    for (const button of document.querySelectorAll('.js-open')) {
      button.addEventListener('click', () => this.input.click());
    }
    this.input.addEventListener('change', () => {
      const file = this.input.files[0];
      // Clearing the input lets the user pick the same file again after an error.
      this.input.value = '';
      if (file) onOpen({ kind: 'file', file, name: file.name });
    });
    for (const button of document.querySelectorAll('.js-demo')) {
      button.addEventListener('click', () => {
        // Same origin, relative to this script, so it works from any subpath or folder.
        const url = new URL('../node-leak.heapsnapshot.gz', import.meta.url).href;
        onOpen({ kind: 'url', url, name: 'demo: node-leak.heapsnapshot.gz' });
      });
    }
    $('cancel-button').addEventListener('click', () => onCancel());
    $('error-close').addEventListener('click', () => this.hideError());
    this.setupDrop();
  }

  // The whole window is the drop zone. dragenter and dragleave fire for every element crossed,
  // so a counter tells when the drag really left the window.
  setupDrop() {
    let depth = 0;
    const hasFiles = (event) => event.dataTransfer && [...event.dataTransfer.types].includes('Files');
    window.addEventListener('dragenter', (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth++;
      this.overlay.hidden = false;
    });
    window.addEventListener('dragover', (event) => {
      if (!hasFiles(event)) return;
      // Without this the browser would navigate to the dropped file.
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    });
    window.addEventListener('dragleave', (event) => {
      if (!hasFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) this.overlay.hidden = true;
    });
    window.addEventListener('drop', (event) => {
      if (!event.dataTransfer) return;
      event.preventDefault();
      depth = 0;
      this.overlay.hidden = true;
      const file = event.dataTransfer.files[0];
      if (file) this.onOpen({ kind: 'file', file, name: file.name });
    });
  }

  showProgress(name) {
    this.hideError();
    this.progressTitle.textContent = `Opening ${name}`;
    this.progressBar.max = 1;
    this.progressBar.value = 0;
    this.progressBytes.textContent = '';
    this.progressPhase.textContent = 'Starting';
    this.progress.hidden = false;
    document.getElementById('cancel-button').focus();
  }

  updateProgress({ bytesRead, totalBytes, phase }) {
    if (totalBytes) {
      this.progressBar.max = totalBytes;
      this.progressBar.value = bytesRead;
      this.progressBytes.textContent = `${fmt.humanBytes(bytesRead)} of ${fmt.humanBytes(totalBytes)} (${fmt.bytes(bytesRead)} / ${fmt.bytes(totalBytes)} bytes)`;
    } else {
      // Unknown length (a compressed transfer): an indeterminate bar.
      this.progressBar.removeAttribute('value');
      this.progressBytes.textContent = `${fmt.humanBytes(bytesRead)} read`;
    }
    const label = PHASES[phase] || `Analyzing: ${phase}`;
    this.progressPhase.textContent = label;
  }

  hideProgress() {
    this.progress.hidden = true;
  }

  showError(message) {
    this.bannerText.textContent = message;
    this.banner.hidden = false;
  }

  hideError() {
    this.banner.hidden = true;
    this.bannerText.textContent = '';
  }
}
