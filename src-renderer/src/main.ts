/**
 * The renderer's entry: applies the saved theme and the browser's language, and mounts the app into `#app`.
 */
import { mount } from 'svelte'
import './app.css'
import App from './App.svelte'
import { applyTheme, loadTheme } from './lib/theme.ts'
import { useLanguage } from './lib/i18n.ts'

applyTheme(loadTheme())
// The browser's language until the settings arrive (App.svelte then follows the `language` setting).
useLanguage('system')
const target = document.getElementById('app')
if (target == null) throw new Error('index.html has no #app element')
mount(App, { target })
