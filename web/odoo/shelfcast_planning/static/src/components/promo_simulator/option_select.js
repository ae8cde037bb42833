/** @odoo-module **/
// A <select> over a list of {value, label} options (one value, or several with `multiple`) that
// renders only when its own props change: the simulator re-renders on every slider event, and a
// category of a thousand products must not be re-listed each time. Values keep their type (the
// change handler maps the chosen <option>s back to their entries).

import { Component, xml } from "@odoo/owl";

export class OptionSelect extends Component {
    static template = xml`
<select t-att-id="props.id" t-att-data-testid="props.testid" t-att-multiple="props.multiple ? 'multiple' : false"
        t-att-size="props.size or false" t-att-disabled="props.disabled ? 'disabled' : false" t-on-change="onChange">
  <t t-foreach="props.options" t-as="o" t-key="o.value">
    <option t-att-value="o.value" t-att-selected="isSelected(o.value)" t-esc="o.label"/>
  </t>
</select>`;

    static props = {
        id: String,
        testid: String,
        options: Array,
        selected: { optional: true },
        multiple: { type: Boolean, optional: true },
        size: { type: Number, optional: true },
        disabled: { type: Boolean, optional: true },
        onChange: Function,
    };

    isSelected(value) {
        const selected = this.props.selected;
        return this.props.multiple ? selected.includes(value) : selected === value;
    }

    onChange(ev) {
        const options = this.props.options;
        if (this.props.multiple) {
            this.props.onChange([...ev.target.selectedOptions].map((o) => options[o.index].value));
        } else {
            this.props.onChange(options[ev.target.selectedIndex].value);
        }
    }
}
