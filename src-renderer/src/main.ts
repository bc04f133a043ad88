/**
 * The renderer's entry: applies the saved theme and mounts the app into `#app`.
 */
import { mount } from 'svelte'
import './app.css'
import App from './App.svelte'
import { applyTheme, loadTheme } from './lib/theme.ts'

applyTheme(loadTheme())
const target = document.getElementById('app')
if (target == null) throw new Error('index.html has no #app element')
mount(App, { target })
