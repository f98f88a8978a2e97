// B6's baseline: the smallest Svelte 5 page (mount, state, an event), built like web/.
import { mount } from 'svelte';
import App from './App.svelte';

export default mount(App, { target: document.getElementById('app')! });
