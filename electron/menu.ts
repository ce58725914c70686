/** The application menu: open another workspace, the standard edit and view roles, and the keys. */
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** Called with the folder the user picked; switches the engine to that workspace. */
  openWorkspace(folder: string): Promise<void>;
  currentWorkspace(): string;
}

const KEYS_HELP = `In the pair view:
  S   same (a false negative: the pair is masked in training)
  D   different (a hard negative: the pair stays a negative)
  U   unsure
  Z   undo your latest decision in this queue
  →   next pair
  ←   previous pair

Keys are ignored while the cursor is in a text field; press Esc to leave the note field.`;

export function installMenu(getWindow: () => BrowserWindow | null, actions: MenuActions): void {
  const chooseWorkspace = async (): Promise<void> => {
    const window = getWindow();
    const options = {
      title: 'Open workspace',
      message: 'Choose the workspace folder, which contains apron.db. A new folder gets a new, empty store.',
      defaultPath: actions.currentWorkspace(),
      properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[],
    };
    const result = window === null ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(window, options);
    const folder = result.filePaths[0];
    if (result.canceled || folder === undefined) return;
    await actions.openWorkspace(folder);
  };

  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Workspace…', accelerator: 'CmdOrCtrl+O', click: () => void chooseWorkspace() },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Help',
      submenu: [
        {
          label: 'Keyboard Shortcuts',
          click: () => {
            const window = getWindow();
            const options = { type: 'info' as const, title: 'Keyboard shortcuts', message: 'Keyboard shortcuts', detail: KEYS_HELP };
            void (window === null ? dialog.showMessageBox(options) : dialog.showMessageBox(window, options));
          },
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
