/**
 * Renderer entry: choose the API bridge once, then render the app. Under Electron the preload
 * has put the bridge on `window.apron`; otherwise the page came from `apron serve` and talks HTTP.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider } from './api/api-context.js';
import { createBridgeApi, findBridge } from './api/bridge-api.js';
import { createHttpApi } from './api/http-api.js';
import { App } from './App.js';
import './styles.css';

const bridge = findBridge(window);
const api = bridge !== null ? createBridgeApi(bridge) : createHttpApi();

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no element with id "root"');
createRoot(container).render(
  <StrictMode>
    <ApiProvider api={api}>
      <App />
    </ApiProvider>
  </StrictMode>,
);
