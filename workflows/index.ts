export { deliveryWorkflow } from './delivery.js';
