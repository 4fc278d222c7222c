-- Question: What is the discount rate for each product category?
-- Description: Discount given away as a percentage of the undiscounted value, and the discount amount, per category.
SELECT p.category,
       ROUND(100.0 * (1 - SUM(oi.quantity * oi.unit_price * (1 - oi.discount))
                          / SUM(oi.quantity * oi.unit_price)), 2) AS discount_rate_pct,
       ROUND(SUM(oi.quantity * oi.unit_price * oi.discount), 2) AS discount_amount
FROM order_items AS oi
JOIN orders AS o ON o.order_id = oi.order_id
JOIN products AS p ON p.product_id = oi.product_id
WHERE o.status NOT IN ('cancelled', 'returned')
GROUP BY p.category
ORDER BY discount_rate_pct DESC;
